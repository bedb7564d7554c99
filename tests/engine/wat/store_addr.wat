;; Regression module for stores whose address the compiler takes from the i32.add just
;; before them while the value to store is still lazy (a constant or a pending x + k):
;; writing the value into its stack slot must not clobber an addend of the address.
;; Every export stores at base + 7 and returns what memory holds there (0x41 expected)
;; plus, in the high byte, what it holds at the wrong place the bug wrote to (0 expected).
(module
  (memory 1)
  (func $seven (result i32) (i32.const 7))
  ;; temp + call result (slot + slot), constant value
  (func (export "slot_slot_const") (param $p i32) (result i32)
    (i32.store8 (i32.add (local.get $p) (call $seven)) (i32.const 0x41))
    (i32.or (i32.load8_u offset=7 (local.get $p))
            (i32.shl (i32.load8_u offset=0x41 (local.get $p)) (i32.const 24))))
  ;; constant + call result (slot + k with the slot above the address), constant value
  (func (export "k_slot_const") (param $p i32) (result i32)
    (i32.store8 (i32.add (i32.const 100) (call $seven)) (i32.const 0x41))
    (i32.or (i32.load8_u offset=107 (i32.const 0))
            (i32.shl (i32.load8_u offset=0x41 (i32.const 100)) (i32.const 24))))
  ;; temp + call result, value a pending local + k
  (func (export "slot_slot_addk") (param $p i32) (result i32)
    (i32.store8 (i32.add (local.get $p) (call $seven))
                (i32.add (local.get $p) (i32.const 0x41)))
    (i32.or (i32.sub (i32.load8_u offset=7 (local.get $p)) (local.get $p))
            (i32.shl (i32.load8_u (i32.add (local.get $p) (i32.add (local.get $p) (i32.const 0x41))))
                     (i32.const 24))))
  ;; constant + call result, value a pending local + k
  (func (export "k_slot_addk") (param $p i32) (result i32)
    (i32.store8 (i32.add (i32.const 100) (call $seven))
                (i32.add (local.get $p) (i32.const 0x31)))
    (i32.or (i32.load8_u offset=107 (i32.const 0))
            (i32.shl (i32.load8_u (i32.add (i32.const 100) (i32.add (local.get $p) (i32.const 0x31))))
                     (i32.const 24))))
  ;; the same as a 16-bit store (strcat's " " after strlen)
  (func (export "slot_slot_const16") (param $p i32) (result i32)
    (i32.store16 (i32.add (local.get $p) (call $seven)) (i32.const 0x0041))
    (i32.or (i32.load16_u offset=7 (local.get $p))
            (i32.shl (i32.load8_u offset=0x41 (local.get $p)) (i32.const 24))))
)
