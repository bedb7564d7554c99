/* sip_runner.h: runs a SIP module built into the kernel as a WASI command. */
#ifndef METAL_SIP_RUNNER_H
#define METAL_SIP_RUNNER_H
/* Runs the embedded module `name` to its end, its output on the console prefixed with
 * "[sip NAME] ", and prints "SIP NAME: exit N (fuel used F)", a trap, or a refusal. */
int sip_run_embedded(const char *name);
#endif
