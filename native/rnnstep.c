#define _POSIX_C_SOURCE 200112L
/*
 * The native yardstick for vecrnn's step kernels: the same fused Elman step in C (gcc -O3 -march=native)
 * and the same step through OpenBLAS cblas_sgemv, plus whole batches (C fused steps; OpenBLAS sgemm).
 * Called from the JMH benchmarks in ../bench through FFM; the library itself never needs this.
 *
 *   h' = tanh(W h + U x + a)    o = sigmoid(V h' + b)
 *
 * Weights are copied into 64-byte-aligned memory at creation: for the fused step, rows [W_i | U_i] padded
 * to 16 floats; for OpenBLAS, the same [W | U] matrix (row stride d + n) so one sgemv does W h + U x; for
 * the column step, [W | U] and V transposed into blocks of columns as in vecrnn's VectorStepKernel (see
 * block_vectors; the Java kernel leaves a partial last vector out of the wider blocks, the same at the
 * benchmark sizes, whose d are multiples of 16).
 *
 * The int8 column step (rnn_int8_*) is the same column form over int8 weights with one float scale per row
 * (vecrnn's int8-row scheme, bytes and scales passed in from its quantizer): each column of a block is plain
 * bytes, widened with one sign extension and one convert per 16 weights (vpmovsxbd, vcvtdq2ps), then one FMA.
 * It is the native bound for vecrnn's Int8VectorKernel: how fast this core runs the int8 step with h kept
 * in float.
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <cblas.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

typedef struct {
    int n, d, k, dP, nP;
    float *WU;   /* fused: d rows of dP + nP floats */
    float *WUb;  /* OpenBLAS: [W | U], d rows of d + n floats */
    float *Wt;   /* W alone [d, d] for the batch sgemm */
    float *Ut;   /* U alone [d, n] */
    float *a, *V, *b;
    float *hx;   /* scratch [h | x] for the sgemv and column steps (single-threaded use) */
    float *WUc, *Vc;     /* column step: [W | U] and V in column blocks (see pack_columns) */
    float *aP, *bP, *hc, *oc;  /* column step: a and b padded to whole vectors, and padded scratch outputs */
    int backward;        /* column step: the direction of the next pass over WUc, alternated as vecrnn's streams do */
} rnn_model;

static int round_up(int v, int m) { return (v + m - 1) / m * m; }

/* Zeroed, 64-byte-aligned memory. */
static void *aligned_bytes(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 1) != 0) return NULL;
    memset(p, 0, bytes ? bytes : 1);
    return p;
}

static float *aligned(size_t floats) { return aligned_bytes(floats * sizeof(float)); }

void rnn_free(rnn_model *m) {
    if (!m) return;
    free(m->WU); free(m->WUb); free(m->Wt); free(m->Ut); free(m->a); free(m->V); free(m->b); free(m->hx);
    free(m->WUc); free(m->Vc); free(m->aP); free(m->bP); free(m->hc); free(m->oc);
    free(m);
}

/*
 * Vectors per column block, as ColumnBlocks cuts them for vecrnn's column kernels: 8 (8 sums in registers,
 * one broadcast of h_j per 8 FMAs) while 8 remain and a block of 8 holds at most 512 KB (MAX_BLOCK_BYTES),
 * else 4 while 4 remain, then 1. es: bytes per weight.
 */
static int block_vectors(int v, int vecs, int K, size_t es) {
    if (v + 8 <= vecs && es * 8 * 16 * K <= 512 * 1024) return 8;
    return v + 4 <= vecs ? 4 : 1;
}

/* The blocks of outs outputs (rounded up to whole vectors of 16) over K columns: first vectors and sizes. */
static int plan_blocks(int outs, int K, size_t es, int *first, int *size) {
    int vecs = round_up(outs, 16) / 16, blocks = 0;
    for (int v = 0; v < vecs; v += size[blocks++]) {
        first[blocks] = v;
        size[blocks] = block_vectors(v, vecs, K, es);
    }
    return blocks;
}

/*
 * [A1 | A2] (rows x (c1 + c2), row-major parts, es bytes per weight) transposed into column blocks: the
 * block of output vectors [v, v + size) holds, for each j < c1 + c2, the 16 * size weights of column j for
 * those outputs (rows padded with zeros to whole vectors), so a step reads the block as one sequential stream.
 */
static void *pack_columns(const void *A1, int c1, const void *A2, int c2, int rows, size_t es) {
    int K = c1 + c2, vecs = round_up(rows, 16) / 16;
    unsigned char *P = aligned_bytes((size_t) K * vecs * 16 * es);
    if (!P) return NULL;
    const unsigned char *a1 = A1, *a2 = A2;
    size_t at = 0;
    for (int v = 0, size; v < vecs; v += size) {
        size = block_vectors(v, vecs, K, es);
        int width = 16 * size;
        for (int j = 0; j < K; j++)
            for (int c = 0; c < width; c++) {
                int i = 16 * v + c;
                if (i < rows)
                    memcpy(P + (at + (size_t) j * width + c) * es, j < c1 ? a1 + ((size_t) i * c1 + j) * es : a2 + ((size_t) i * c2 + j - c1) * es, es);
            }
        at += (size_t) K * width;
    }
    return P;
}

rnn_model *rnn_create(int n, int d, int k, const float *U, const float *W, const float *a, const float *V, const float *b) {
    if (n < 1 || d < 1 || k < 1) return NULL;
    rnn_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n = n; m->d = d; m->k = k; m->dP = round_up(d, 16); m->nP = round_up(n, 16);
    size_t row = (size_t) m->dP + m->nP;
    m->WU = aligned(row * d); m->WUb = aligned((size_t) (d + n) * d); m->Wt = aligned((size_t) d * d);
    m->Ut = aligned((size_t) d * n); m->a = aligned(d); m->V = aligned((size_t) k * d); m->b = aligned(k);
    m->hx = aligned((size_t) d + n);
    m->WUc = pack_columns(W, d, U, n, d, 4); m->Vc = pack_columns(V, d, NULL, 0, k, 4);
    m->aP = aligned(m->dP); m->bP = aligned(round_up(k, 16)); m->hc = aligned(m->dP); m->oc = aligned(round_up(k, 16));
    if (!m->WU || !m->WUb || !m->Wt || !m->Ut || !m->a || !m->V || !m->b || !m->hx
            || !m->WUc || !m->Vc || !m->aP || !m->bP || !m->hc || !m->oc) { rnn_free(m); return NULL; }
    memcpy(m->aP, a, d * sizeof(float));
    memcpy(m->bP, b, k * sizeof(float));
    for (int i = 0; i < d; i++) {
        memcpy(m->WU + i * row, W + (size_t) i * d, d * sizeof(float));
        memcpy(m->WU + i * row + m->dP, U + (size_t) i * n, n * sizeof(float));
        memcpy(m->WUb + (size_t) i * (d + n), W + (size_t) i * d, d * sizeof(float));
        memcpy(m->WUb + (size_t) i * (d + n) + d, U + (size_t) i * n, n * sizeof(float));
    }
    memcpy(m->Wt, W, (size_t) d * d * sizeof(float));
    memcpy(m->Ut, U, (size_t) d * n * sizeof(float));
    memcpy(m->a, a, d * sizeof(float));
    memcpy(m->V, V, (size_t) k * d * sizeof(float));
    memcpy(m->b, b, k * sizeof(float));
    return m;
}

static inline float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

/* o = sigmoid(V h + b) */
static void head(const rnn_model *m, const float *restrict h, float *restrict o) {
    const int d = m->d;
    for (int i = 0; i < m->k; i++) {
        const float *restrict v = m->V + (size_t) i * d;
        float s = 0;
        for (int j = 0; j < d; j++) s += v[j] * h[j];
        o[i] = sigmoidf(s + m->b[i]);
    }
}

/* The fused step: one pass over the rows of [W | U], four rows at a time, then tanh, then the head. */
void rnn_step_fused(const rnn_model *m, const float *restrict h, const float *restrict x, float *restrict hNext, float *restrict o) {
    const int d = m->d, n = m->n;
    const size_t row = (size_t) m->dP + m->nP;
    int i = 0;
    for (; i + 4 <= d; i += 4) {
        const float *restrict w0 = __builtin_assume_aligned(m->WU + i * row, 64);
        const float *restrict w1 = w0 + row, *restrict w2 = w1 + row, *restrict w3 = w2 + row;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int j = 0; j < d; j++) {
            float e = h[j];
            s0 += w0[j] * e; s1 += w1[j] * e; s2 += w2[j] * e; s3 += w3[j] * e;
        }
        const int o = m->dP;
        for (int j = 0; j < n; j++) {
            float e = x[j];
            s0 += w0[o + j] * e; s1 += w1[o + j] * e; s2 += w2[o + j] * e; s3 += w3[o + j] * e;
        }
        hNext[i] = s0 + m->a[i]; hNext[i + 1] = s1 + m->a[i + 1];
        hNext[i + 2] = s2 + m->a[i + 2]; hNext[i + 3] = s3 + m->a[i + 3];
    }
    for (; i < d; i++) {
        const float *restrict w = m->WU + i * row;
        float s = 0;
        for (int j = 0; j < d; j++) s += w[j] * h[j];
        for (int j = 0; j < n; j++) s += w[m->dP + j] * x[j];
        hNext[i] = s + m->a[i];
    }
    for (int j = 0; j < d; j++) hNext[j] = tanhf(hNext[j]);
    head(m, hNext, o);
}

typedef float v16 __attribute__((vector_size(64)));

/* out[0, 128) = init + sum_j hx[j] P[j, 0..128): 8 vector sums, one broadcast per 8 FMAs. */
static void column_block8(const float *P, int K, const float *restrict hx, const float *init, float *out) {
    const v16 *restrict p = __builtin_assume_aligned(P, 64);
    const v16 *in = __builtin_assume_aligned(init, 64);
    v16 s0 = in[0], s1 = in[1], s2 = in[2], s3 = in[3], s4 = in[4], s5 = in[5], s6 = in[6], s7 = in[7];
    for (int j = 0; j < K; j++, p += 8) {
        v16 e = (v16) {0} + hx[j];
        s0 += p[0] * e; s1 += p[1] * e; s2 += p[2] * e; s3 += p[3] * e;
        s4 += p[4] * e; s5 += p[5] * e; s6 += p[6] * e; s7 += p[7] * e;
    }
    v16 *o = __builtin_assume_aligned(out, 64);
    o[0] = s0; o[1] = s1; o[2] = s2; o[3] = s3; o[4] = s4; o[5] = s5; o[6] = s6; o[7] = s7;
}

/* out[0, 64) the same way with 4 vector sums (blocks of wide models, see block_vectors). */
static void column_block4(const float *P, int K, const float *restrict hx, const float *init, float *out) {
    const v16 *restrict p = __builtin_assume_aligned(P, 64);
    const v16 *in = __builtin_assume_aligned(init, 64);
    v16 s0 = in[0], s1 = in[1], s2 = in[2], s3 = in[3];
    for (int j = 0; j < K; j++, p += 4) {
        v16 e = (v16) {0} + hx[j];
        s0 += p[0] * e; s1 += p[1] * e; s2 += p[2] * e; s3 += p[3] * e;
    }
    v16 *o = __builtin_assume_aligned(out, 64);
    o[0] = s0; o[1] = s1; o[2] = s2; o[3] = s3;
}

/* One output vector: four sums over j mod 4, so the FMA chain is not one long dependency. */
static void column_block1(const float *P, int K, const float *restrict hx, const float *init, float *out) {
    const v16 *restrict p = __builtin_assume_aligned(P, 64);
    v16 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    int j = 0;
    for (; j + 4 <= K; j += 4, p += 4) {
        s0 += p[0] * ((v16) {0} + hx[j]); s1 += p[1] * ((v16) {0} + hx[j + 1]);
        s2 += p[2] * ((v16) {0} + hx[j + 2]); s3 += p[3] * ((v16) {0} + hx[j + 3]);
    }
    for (; j < K; j++, p++) s0 += p[0] * ((v16) {0} + hx[j]);
    *(v16 *) __builtin_assume_aligned(out, 64) = s0 + s1 + (s2 + s3) + *(const v16 *) __builtin_assume_aligned(init, 64);
}

/*
 * out[0, outs rounded up to 16) = init + M hx, M packed by pack_columns with K columns, block by block, from
 * the last block when backward (the same sums: a block starting at vector v starts at P + K * 16 * v).
 */
static void column(const float *P, int outs, int K, const float *hx, const float *init, float *out, int backward) {
    int first[outs / 16 + 1], size[outs / 16 + 1], blocks = plan_blocks(outs, K, 4, first, size);
    for (int q = 0; q < blocks; q++) {
        int i = backward ? blocks - 1 - q : q, v = first[i];
        const float *Pb = P + (size_t) K * 16 * v;
        if (size[i] == 8) column_block8(Pb, K, hx, init + 16 * v, out + 16 * v);
        else if (size[i] == 4) column_block4(Pb, K, hx, init + 16 * v, out + 16 * v);
        else column_block1(Pb, K, hx, init + 16 * v, out + 16 * v);
    }
}

/*
 * The column step, vecrnn's VectorStepKernel in C: h' = a + sum_j [h; x]_j [W | U][:, j] with up to 8 output
 * vectors in registers, one sequential pass over the packed weights (forward and backward by turns, as a
 * vecrnn stream reads them), then tanh, then the head the same way.
 */
void rnn_step_column(rnn_model *m, const float *h, const float *x, float *hNext, float *o) {
    const int d = m->d, n = m->n, k = m->k;
    memcpy(m->hx, h, d * sizeof(float));
    memcpy(m->hx + d, x, n * sizeof(float));
    column(m->WUc, d, d + n, m->hx, m->aP, m->hc, m->backward);
    m->backward = !m->backward;
    for (int j = 0; j < d; j++) hNext[j] = tanhf(m->hc[j]);
    column(m->Vc, k, d, hNext, m->bP, m->oc, 0);
    for (int i = 0; i < k; i++) o[i] = sigmoidf(m->oc[i]);
}

typedef struct {
    int n, d, k, backward;
    int8_t *WUq, *Vq;           /* [Wq | Uq] and Vq in column blocks (pack_columns, one byte per weight) */
    float *sW, *sU, *sV;        /* the row scales, padded to whole vectors */
    float *aP, *bP, *hx, *hc, *oc;
} rnn_int8_model;

void rnn_int8_free(rnn_int8_model *m) {
    if (!m) return;
    free(m->WUq); free(m->Vq); free(m->sW); free(m->sU); free(m->sV);
    free(m->aP); free(m->bP); free(m->hx); free(m->hc); free(m->oc);
    free(m);
}

static float *padded_copy(const float *v, int len) {
    float *p = aligned(round_up(len, 16));
    if (p) memcpy(p, v, len * sizeof(float));
    return p;
}

/* Uq [d, n], Wq [d, d], Vq [k, d] row-major int8, each with one scale per row (sU, sW, sV). */
rnn_int8_model *rnn_int8_create(int n, int d, int k, const int8_t *Uq, const float *sU, const int8_t *Wq, const float *sW,
                                const float *a, const int8_t *Vq, const float *sV, const float *b) {
    if (n < 1 || d < 1 || k < 1) return NULL;
    rnn_int8_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n = n; m->d = d; m->k = k;
    m->WUq = pack_columns(Wq, d, Uq, n, d, 1); m->Vq = pack_columns(Vq, d, NULL, 0, k, 1);
    m->sW = padded_copy(sW, d); m->sU = padded_copy(sU, d); m->sV = padded_copy(sV, k);
    m->aP = padded_copy(a, d); m->bP = padded_copy(b, k);
    m->hx = aligned((size_t) d + n); m->hc = aligned(round_up(d, 16)); m->oc = aligned(round_up(k, 16));
    if (!m->WUq || !m->Vq || !m->sW || !m->sU || !m->sV || !m->aP || !m->bP || !m->hx || !m->hc || !m->oc) {
        rnn_int8_free(m);
        return NULL;
    }
    return m;
}

/* 16 int8 weights to float: one vpmovsxbd (from memory) and one vcvtdq2ps. GCC 12 makes scalar code of the
 * same conversion written with __builtin_convertvector, hence the intrinsics. */
#ifdef __AVX512F__
static inline void widen16(const int8_t *p, v16 *f) {
    *f = (v16) _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_load_si128((const __m128i *) p)));
}
#else
static inline void widen16(const int8_t *p, v16 *f) {
    for (int i = 0; i < 16; i++) (*f)[i] = p[i];
}
#endif

/* p[0, V) = sum over j in [from, to) of v[j] times column j of the block (V vectors of 16 bytes per column). */
static inline __attribute__((always_inline)) void int8_sums(const int8_t *P, int V, int from, int to, const float *v, v16 *p) {
    for (int i = 0; i < V; i++) p[i] = (v16) {0};
    for (int j = from; j < to; j++) {
        const int8_t *w = P + (size_t) j * 16 * V;
        v16 e = (v16) {0} + v[j];
        for (int i = 0; i < V; i++) {
            v16 f;
            widen16(w + 16 * i, &f);
            p[i] += f * e;
        }
    }
}

/* out = init + s1 * (the sums over columns [0, c1)) + s2 * (those over [c1, K)), V output vectors in registers. */
static inline __attribute__((always_inline)) void int8_block(const int8_t *P, int V, int c1, int K, const float *hx,
        const float *s1, const float *s2, const float *init, float *out) {
    v16 acc[8], p[8];
    for (int i = 0; i < V; i++) acc[i] = ((const v16 *) __builtin_assume_aligned(init, 64))[i];
    int8_sums(P, V, 0, c1, hx, p);
    for (int i = 0; i < V; i++) acc[i] += p[i] * ((const v16 *) __builtin_assume_aligned(s1, 64))[i];
    if (c1 < K) {
        int8_sums(P, V, c1, K, hx, p);
        for (int i = 0; i < V; i++) acc[i] += p[i] * ((const v16 *) __builtin_assume_aligned(s2, 64))[i];
    }
    for (int i = 0; i < V; i++) ((v16 *) __builtin_assume_aligned(out, 64))[i] = acc[i];
}

/* column() for int8: scale s1 for the first c1 columns, s2 for the rest, blocks from the last when backward. */
static void int8_column(const int8_t *P, int outs, int c1, int K, const float *hx, const float *s1, const float *s2,
                        const float *init, float *out, int backward) {
    int first[outs / 16 + 1], size[outs / 16 + 1], blocks = plan_blocks(outs, K, 1, first, size);
    for (int q = 0; q < blocks; q++) {
        int i = backward ? blocks - 1 - q : q, v = first[i], o = 16 * v;
        const int8_t *Pb = P + (size_t) K * o;
        if (size[i] == 8) int8_block(Pb, 8, c1, K, hx, s1 + o, s2 + o, init + o, out + o);
        else if (size[i] == 4) int8_block(Pb, 4, c1, K, hx, s1 + o, s2 + o, init + o, out + o);
        else int8_block(Pb, 1, c1, K, hx, s1 + o, s2 + o, init + o, out + o);
    }
}

/* The int8 column step: h' = tanh(a + sW * (Wq h) + sU * (Uq x)), o = sigmoid(b + sV * (Vq h')), as rnn_step_column. */
void rnn_int8_step(rnn_int8_model *m, const float *h, const float *x, float *hNext, float *o) {
    const int d = m->d, n = m->n, k = m->k;
    memcpy(m->hx, h, d * sizeof(float));
    memcpy(m->hx + d, x, n * sizeof(float));
    int8_column(m->WUq, d, d, d + n, m->hx, m->sW, m->sU, m->aP, m->hc, m->backward);
    m->backward = !m->backward;
    for (int j = 0; j < d; j++) hNext[j] = tanhf(m->hc[j]);
    int8_column(m->Vq, k, d, d, hNext, m->sV, m->sV, m->bP, m->oc, 0);
    for (int i = 0; i < k; i++) o[i] = sigmoidf(m->oc[i]);
}

/* The same step through OpenBLAS: hNext = a; hNext += [W | U] [h; x] (one sgemv); tanh; o = sigmoid(V h + b) (sgemv). */
void rnn_step_sgemv(const rnn_model *m, const float *h, const float *x, float *hNext, float *o) {
    const int d = m->d, n = m->n, k = m->k;
    memcpy(m->hx, h, d * sizeof(float));
    memcpy(m->hx + d, x, n * sizeof(float));
    memcpy(hNext, m->a, d * sizeof(float));
    cblas_sgemv(CblasRowMajor, CblasNoTrans, d, d + n, 1.0f, m->WUb, d + n, m->hx, 1, 1.0f, hNext, 1);
    for (int j = 0; j < d; j++) hNext[j] = tanhf(hNext[j]);
    memcpy(o, m->b, k * sizeof(float));
    cblas_sgemv(CblasRowMajor, CblasNoTrans, k, d, 1.0f, m->V, d, hNext, 1, 1.0f, o, 1);
    for (int i = 0; i < k; i++) o[i] = sigmoidf(o[i]);
}

/* B sequences of T steps, x [B,T,n] -> h [B,T,d], o [B,T,k], h0 = 0, with the fused C step. */
void rnn_forward_fused(const rnn_model *m, const float *x, int B, int T, float *h, float *o) {
    const int n = m->n, d = m->d, k = m->k;
    float *zero = aligned(d);
    for (int s = 0; s < B; s++) {
        const float *prev = zero;
        for (int t = 0; t < T; t++) {
            size_t r = (size_t) s * T + t;
            rnn_step_fused(m, prev, x + r * n, h + r * d, o + r * k);
            prev = h + r * d;
        }
    }
    free(zero);
}

/*
 * The same batch the BLAS way: P = X Uᵀ + a for all B*T rows in one sgemm, then per step
 * H_t = tanh(H_{t-1} Wᵀ + P_t) and O_t = sigmoid(H_t Vᵀ + b) as sgemms over the B sequences.
 * scratch holds at least B*T*d + 3*B*d + B*k floats.
 */
void rnn_forward_sgemm(const rnn_model *m, const float *x, int B, int T, float *h, float *o, float *scratch) {
    const int n = m->n, d = m->d, k = m->k;
    float *P = scratch, *Hp = P + (size_t) B * T * d, *Hc = Hp + (size_t) B * d, *Z = Hc + (size_t) B * d;
    for (size_t r = 0; r < (size_t) B * T; r++) memcpy(P + r * d, m->a, d * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B * T, d, n, 1.0f, x, n, m->Ut, n, 1.0f, P, d);
    memset(Hp, 0, (size_t) B * d * sizeof(float));
    for (int t = 0; t < T; t++) {
        for (int s = 0; s < B; s++) memcpy(Hc + (size_t) s * d, P + ((size_t) s * T + t) * d, d * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, d, d, 1.0f, Hp, d, m->Wt, d, 1.0f, Hc, d);
        for (size_t i = 0; i < (size_t) B * d; i++) Hc[i] = tanhf(Hc[i]);
        for (int s = 0; s < B; s++) memcpy(Z + (size_t) s * k, m->b, k * sizeof(float));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, k, d, 1.0f, Hc, d, m->V, d, 1.0f, Z, k);
        for (int s = 0; s < B; s++) {
            size_t r = (size_t) s * T + t;
            memcpy(h + r * d, Hc + (size_t) s * d, d * sizeof(float));
            for (int i = 0; i < k; i++) o[r * k + i] = sigmoidf(Z[(size_t) s * k + i]);
        }
        float *tmp = Hp; Hp = Hc; Hc = tmp;
    }
}

void rnn_blas_threads(int t) { openblas_set_num_threads(t); }
