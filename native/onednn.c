/*
 * oneDNN yardsticks for vecrnn (build/libonednn_yard.so; needs apt-get install -y libdnnl-dev, oneDNN 2.6).
 * Called from the JMH benchmarks in ../bench through FFM; neither the library nor librnnstep.so needs this.
 *
 *   h' = tanh(W h + U x + a)    o = sigmoid(V h' + b)
 *
 * Stream (one step, batch of 1), two ways:
 *   ip:  oneDNN's best for a single step: one inner product [W | U] [h; x] + a with an eltwise_tanh post-op,
 *        then the head as an inner product V h' + b with an eltwise_logistic post-op;
 *   rnn: oneDNN's vanilla RNN primitive (inference, tanh) for T = 1, B = 1, h carried by the caller, then
 *        the same head.
 * Batch (B sequences of T steps, h0 = 0, every h and o kept): the vanilla RNN primitive over the whole
 * sequence (x and h in the project's [B, T, *] layout, oneDNN's ntc tag, so no transposes), then the head
 * over all B*T rows as one inner product with the logistic post-op.
 *
 * Weights: the caller's plain row-major arrays (the same model as librnnstep.so) are reordered once, at
 * creation, into whatever layout each primitive asks for (format_tag any). oneDNN here is built with
 * OpenMP: every entry point pins the calling thread's OpenMP team to 1 thread, so the yardstick runs on one
 * core like the others (the Java thread calling us is not an OpenMP thread, so OMP_NUM_THREADS set elsewhere
 * would not reach it reliably, and OpenBLAS also reads OMP_NUM_THREADS).
 *
 * Every function returns 0 (or a non-NULL pointer) on success; on failure onednn_error() says what failed.
 * Not thread-safe: one model per thread (the step scratch and the memory objects are shared).
 */
#define _POSIX_C_SOURCE 200112L
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

static char last_error[256];

const char *onednn_error(void) { return last_error; }

#define CHECK(call) do { \
        dnnl_status_t st_ = (call); \
        if (st_ != dnnl_success) { \
            snprintf(last_error, sizeof last_error, "onednn.c:%d: %s: %s", __LINE__, #call, dnnl_status2str(st_)); \
            goto fail; \
        } \
    } while (0)

static void one_thread(void) { if (omp_get_max_threads() != 1) omp_set_num_threads(1); }

/* A primitive with its memory objects, one per execute argument; handles are swapped per call. */
typedef struct {
    dnnl_primitive_t prim;
    int nargs;
    dnnl_exec_arg_t args[8];
} op;

typedef struct {
    int n, d, k, B, T;
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    float *hx;        /* [h | x] source of the stream inner product */
    op ip, rnn1, head1, rnnB, headB;
    dnnl_memory_t owned[40];  /* every memory object created, freed at the end */
    int nowned;
    float *U, *W, *a, *V, *b, *WU;  /* plain copies, kept for onednn_batch_init */
} onednn_model;

static void op_free(op *o) { if (o->prim) dnnl_primitive_destroy(o->prim); o->prim = NULL; }

void onednn_free(onednn_model *m) {
    if (!m) return;
    op_free(&m->ip); op_free(&m->rnn1); op_free(&m->head1); op_free(&m->rnnB); op_free(&m->headB);
    for (int i = 0; i < m->nowned; i++) dnnl_memory_destroy(m->owned[i]);
    if (m->strm) dnnl_stream_destroy(m->strm);
    if (m->eng) dnnl_engine_destroy(m->eng);
    free(m->hx); free(m->U); free(m->W); free(m->a); free(m->V); free(m->b); free(m->WU);
    free(m);
}

static dnnl_memory_desc_t md(int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t r;
    memset(&r, 0, sizeof r);
    if (dnnl_memory_desc_init_by_tag(&r, ndims, dims, dnnl_f32, tag) != dnnl_success) memset(&r, 0, sizeof r);
    return r;
}

/* A memory object over handle (NULL: oneDNN allocates it), owned by the model. */
static dnnl_memory_t mem(onednn_model *m, const dnnl_memory_desc_t *desc, void *handle) {
    dnnl_memory_t r = NULL;
    if (m->nowned == (int) (sizeof m->owned / sizeof m->owned[0])) return NULL;
    if (dnnl_memory_create(&r, desc, m->eng, handle ? handle : DNNL_MEMORY_ALLOCATE) != dnnl_success) return NULL;
    m->owned[m->nowned++] = r;
    return r;
}

/* Memory in the layout the primitive asks for at arg, filled from the plain data (reordered if they differ). */
static dnnl_memory_t weights(onednn_model *m, const_dnnl_primitive_desc_t pd, int arg, const dnnl_memory_desc_t *plain_md, float *plain) {
    const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
    dnnl_memory_t src = mem(m, plain_md, plain), dst = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    if (!src || !want) { snprintf(last_error, sizeof last_error, "onednn.c: no memory for argument %d", arg); return NULL; }
    if (dnnl_memory_desc_equal(want, plain_md)) return src;
    if (!(dst = mem(m, want, NULL))) { snprintf(last_error, sizeof last_error, "onednn.c: no memory for argument %d", arg); return NULL; }
    CHECK(dnnl_reorder_primitive_desc_create(&rpd, plain_md, m->eng, want, m->eng, NULL));
    CHECK(dnnl_primitive_create(&r, rpd));
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    CHECK(dnnl_primitive_execute(r, m->strm, 2, args));
    CHECK(dnnl_stream_wait(m->strm));
    dnnl_primitive_destroy(r);
    dnnl_primitive_desc_destroy(rpd);
    return dst;
fail:
    if (r) dnnl_primitive_destroy(r);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    return NULL;
}

static int add_arg(op *o, int arg, dnnl_memory_t mem) {
    if (!mem) return -1;
    o->args[o->nargs].arg = arg;
    o->args[o->nargs].memory = mem;
    o->nargs++;
    return 0;
}

/* dst[rows, out] = post(src[rows, in] w[out, in]^T + bias), as an inner product with one eltwise post-op. */
static int inner_product(onednn_model *m, op *o, int rows, int in, int out, float *w, float *bias, dnnl_alg_kind_t post) {
    dnnl_memory_desc_t src_md = md(2, (dnnl_dims_t) {rows, in}, dnnl_nc), dst_md = md(2, (dnnl_dims_t) {rows, out}, dnnl_nc);
    dnnl_memory_desc_t w_any = md(2, (dnnl_dims_t) {out, in}, dnnl_format_tag_any), w_plain = md(2, (dnnl_dims_t) {out, in}, dnnl_oi);
    dnnl_memory_desc_t b_md = md(1, (dnnl_dims_t) {out}, dnnl_x);
    dnnl_inner_product_desc_t desc;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    CHECK(dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_inference, &src_md, &w_any, &b_md, &dst_md));
    CHECK(dnnl_post_ops_create(&ops));
    CHECK(dnnl_post_ops_append_eltwise(ops, 1.0f, post, 0.0f, 0.0f));
    CHECK(dnnl_primitive_attr_create(&attr));
    CHECK(dnnl_primitive_attr_set_post_ops(attr, ops));
    CHECK(dnnl_primitive_desc_create(&pd, &desc, attr, m->eng, NULL));
    CHECK(dnnl_primitive_create(&o->prim, pd));
    /* src and dst point at the caller's arrays: handles are set on every call. */
    if (add_arg(o, DNNL_ARG_SRC, mem(m, &src_md, m->hx)) || add_arg(o, DNNL_ARG_DST, mem(m, &dst_md, m->hx))
            || add_arg(o, DNNL_ARG_WEIGHTS, weights(m, pd, DNNL_ARG_WEIGHTS, &w_plain, w))
            || add_arg(o, DNNL_ARG_BIAS, mem(m, &b_md, bias))) goto fail;
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    dnnl_post_ops_destroy(ops);
    return 0;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    if (!last_error[0]) snprintf(last_error, sizeof last_error, "onednn.c: inner product %dx%d->%d failed", rows, in, out);
    return -1;
}

/* Vanilla RNN, one layer, left to right, tanh, inference: x [T, B, n] (tnc if T == 1, else ntc = [B, T, n]),
 * h0 from src_iter (B == 1) or zero (batch), dst_layer every h. */
static int vanilla_rnn(onednn_model *m, op *o, int B, int T) {
    const int n = m->n, d = m->d, stream = T == 1 && B == 1;
    const dnnl_format_tag_t seq = stream ? dnnl_tnc : dnnl_ntc;
    dnnl_memory_desc_t src_layer = md(3, (dnnl_dims_t) {T, B, n}, seq), dst_layer = md(3, (dnnl_dims_t) {T, B, d}, seq);
    dnnl_memory_desc_t src_iter = md(4, (dnnl_dims_t) {1, 1, B, d}, dnnl_ldnc), none;
    dnnl_memory_desc_t wl_any = md(5, (dnnl_dims_t) {1, 1, n, 1, d}, dnnl_format_tag_any);
    dnnl_memory_desc_t wi_any = md(5, (dnnl_dims_t) {1, 1, d, 1, d}, dnnl_format_tag_any);
    /* ldgoi: [out][in] innermost, i.e. U [d, n] and W [d, d] exactly as the model stores them */
    dnnl_memory_desc_t wl_plain = md(5, (dnnl_dims_t) {1, 1, n, 1, d}, dnnl_ldgoi);
    dnnl_memory_desc_t wi_plain = md(5, (dnnl_dims_t) {1, 1, d, 1, d}, dnnl_ldgoi);
    dnnl_memory_desc_t bias = md(4, (dnnl_dims_t) {1, 1, 1, d}, dnnl_ldgo);
    dnnl_rnn_desc_t desc;
    dnnl_primitive_desc_t pd = NULL;
    memset(&none, 0, sizeof none);
    CHECK(dnnl_vanilla_rnn_forward_desc_init(&desc, dnnl_forward_inference, dnnl_eltwise_tanh,
            dnnl_unidirectional_left2right, &src_layer, stream ? &src_iter : &none, &wl_any, &wi_any, &bias,
            &dst_layer, &none, 0, 0.0f, 0.0f));
    CHECK(dnnl_primitive_desc_create(&pd, &desc, NULL, m->eng, NULL));
    CHECK(dnnl_primitive_create(&o->prim, pd));
    if (add_arg(o, DNNL_ARG_SRC_LAYER, mem(m, &src_layer, m->hx)) || add_arg(o, DNNL_ARG_DST_LAYER, mem(m, &dst_layer, m->hx))
            || add_arg(o, DNNL_ARG_WEIGHTS_LAYER, weights(m, pd, DNNL_ARG_WEIGHTS_LAYER, &wl_plain, m->U))
            || add_arg(o, DNNL_ARG_WEIGHTS_ITER, weights(m, pd, DNNL_ARG_WEIGHTS_ITER, &wi_plain, m->W))
            || add_arg(o, DNNL_ARG_BIAS, mem(m, &bias, m->a))) goto fail;
    if (stream && add_arg(o, DNNL_ARG_SRC_ITER, mem(m, &src_iter, m->hx))) goto fail;
    dnnl_primitive_desc_destroy(pd);
    return 0;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (!last_error[0]) snprintf(last_error, sizeof last_error, "onednn.c: vanilla RNN B=%d T=%d failed", B, T);
    return -1;
}

static float *copy(const float *src, size_t floats) {
    float *r = malloc((floats ? floats : 1) * sizeof(float));
    if (r) memcpy(r, src, floats * sizeof(float));
    return r;
}

onednn_model *onednn_create(int n, int d, int k, const float *U, const float *W, const float *a, const float *V, const float *b) {
    last_error[0] = 0;
    if (n < 1 || d < 1 || k < 1) { snprintf(last_error, sizeof last_error, "onednn.c: bad sizes"); return NULL; }
    one_thread();
    onednn_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n = n; m->d = d; m->k = k;
    m->U = copy(U, (size_t) d * n); m->W = copy(W, (size_t) d * d); m->a = copy(a, d);
    m->V = copy(V, (size_t) k * d); m->b = copy(b, k);
    m->WU = malloc((size_t) d * (d + n) * sizeof(float));
    m->hx = calloc((size_t) d + n, sizeof(float));
    if (!m->U || !m->W || !m->a || !m->V || !m->b || !m->WU || !m->hx) goto fail;
    for (int i = 0; i < d; i++) {
        memcpy(m->WU + (size_t) i * (d + n), W + (size_t) i * d, d * sizeof(float));
        memcpy(m->WU + (size_t) i * (d + n) + d, U + (size_t) i * n, n * sizeof(float));
    }
    CHECK(dnnl_engine_create(&m->eng, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&m->strm, m->eng, dnnl_stream_default_flags));
    if (inner_product(m, &m->ip, 1, d + n, d, m->WU, m->a, dnnl_eltwise_tanh)) goto fail;
    if (inner_product(m, &m->head1, 1, d, k, m->V, m->b, dnnl_eltwise_logistic)) goto fail;
    if (vanilla_rnn(m, &m->rnn1, 1, 1)) goto fail;
    return m;
fail:
    if (!last_error[0]) snprintf(last_error, sizeof last_error, "onednn.c: out of memory");
    onednn_free(m);
    return NULL;
}

/* Prepares onednn_forward_rnn for batches of B sequences of T steps. */
int onednn_batch_init(onednn_model *m, int B, int T) {
    last_error[0] = 0;
    if (B < 1 || T < 1 || m->rnnB.prim) { snprintf(last_error, sizeof last_error, "onednn.c: bad batch or already set"); return -1; }
    one_thread();
    if (vanilla_rnn(m, &m->rnnB, B, T) || inner_product(m, &m->headB, B * T, m->d, m->k, m->V, m->b, dnnl_eltwise_logistic)) {
        op_free(&m->rnnB); op_free(&m->headB);
        return -1;
    }
    m->B = B; m->T = T;
    return 0;
}

static void set(op *o, int arg, const void *p) {
    for (int i = 0; i < o->nargs; i++)
        if (o->args[i].arg == arg) { dnnl_memory_set_data_handle_v2(o->args[i].memory, (void *) p, NULL); return; }
}

static int run(onednn_model *m, op *o) {
    dnnl_status_t st = dnnl_primitive_execute(o->prim, m->strm, o->nargs, o->args);
    if (st != dnnl_success) { snprintf(last_error, sizeof last_error, "onednn.c: execute: %s", dnnl_status2str(st)); return -1; }
    return 0;
}

static int head(onednn_model *m, const float *h, float *o) {
    set(&m->head1, DNNL_ARG_SRC, h);
    set(&m->head1, DNNL_ARG_DST, o);
    return run(m, &m->head1);
}

/* One step, inner product with the tanh post-op: [h | x] is copied once into the source, as in rnn_step_sgemv. */
int onednn_step_ip(onednn_model *m, const float *h, const float *x, float *hNext, float *o) {
    one_thread();
    memcpy(m->hx, h, m->d * sizeof(float));
    memcpy(m->hx + m->d, x, m->n * sizeof(float));
    set(&m->ip, DNNL_ARG_DST, hNext);
    if (run(m, &m->ip)) return -1;
    return head(m, hNext, o);
}

/* One step, vanilla RNN primitive with T = B = 1 on the caller's h, x and hNext. */
int onednn_step_rnn(onednn_model *m, const float *h, const float *x, float *hNext, float *o) {
    one_thread();
    set(&m->rnn1, DNNL_ARG_SRC_LAYER, x);
    set(&m->rnn1, DNNL_ARG_SRC_ITER, h);
    set(&m->rnn1, DNNL_ARG_DST_LAYER, hNext);
    if (run(m, &m->rnn1)) return -1;
    return head(m, hNext, o);
}

/* B sequences of T steps, x [B,T,n] -> h [B,T,d], o [B,T,k], h0 = 0 (B and T as given to onednn_batch_init). */
int onednn_forward_rnn(onednn_model *m, const float *x, int B, int T, float *h, float *o) {
    if (!m->rnnB.prim || B != m->B || T != m->T) { snprintf(last_error, sizeof last_error, "onednn.c: batch not prepared for B=%d T=%d", B, T); return -1; }
    one_thread();
    set(&m->rnnB, DNNL_ARG_SRC_LAYER, x);
    set(&m->rnnB, DNNL_ARG_DST_LAYER, h);
    if (run(m, &m->rnnB)) return -1;
    set(&m->headB, DNNL_ARG_SRC, h);
    set(&m->headB, DNNL_ARG_DST, o);
    return run(m, &m->headB);
}

/* What oneDNN runs here: the ISA it dispatches to, its threads, and the implementation of each primitive. */
const char *onednn_describe(onednn_model *m) {
    static char s[512];
    const char *impl[5] = {"-", "-", "-", "-", "-"};
    op *ops[5] = {&m->ip, &m->head1, &m->rnn1, &m->rnnB, &m->headB};
    for (int i = 0; i < 5; i++) {
        const_dnnl_primitive_desc_t pd;
        if (ops[i]->prim && dnnl_primitive_get_primitive_desc(ops[i]->prim, &pd) == dnnl_success)
            dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl[i]);
    }
    const dnnl_version_t *v = dnnl_version();
    snprintf(s, sizeof s, "oneDNN %d.%d.%d, isa %s, %d OpenMP thread(s); ip %s, head %s, rnn(T=1) %s, rnn(batch) %s, head(batch) %s",
            v->major, v->minor, v->patch, dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()), omp_get_max_threads(),
            impl[0], impl[1], impl[2], impl[3], impl[4]);
    return s;
}
