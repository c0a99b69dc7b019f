/**
 * <b>Internal, not API:</b> the {@code vecrnn} command line, one class per command. It ships in
 * {@code vecrnn-cli.jar} with picocli and the bundled data sets; a library user of {@code org.vecrnn:vecrnn}
 * gets neither, and this package may change in any release.
 */
package org.vecrnn.cli;
