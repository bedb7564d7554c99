;; Cross-instance linking: exports a function that reads this instance's own memory.
(module
  (memory 1)
  (data (i32.const 0) "\2a")
  (func (export "get") (result i32) (i32.load8_u (i32.const 0))))
