/* placeholder until the cross-process suite is written */
void register_process_tests(void) {}
