//! The wasm exports (wasm-bindgen), run by bench/readers/speed.mjs in Node.

use wasm_bindgen::prelude::*;

#[cfg(feature = "talc")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(feature = "lol", not(feature = "talc")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

/// The readers compiled into this module, comma-separated.
#[wasm_bindgen]
pub fn readers() -> String {
    crate::readers().join(",")
}

/// Parses and reads `text` `iterations` times with `reader`; the last checksum.
#[wasm_bindgen]
pub fn run(reader: &str, text: &str, iterations: u32) -> Result<u32, JsError> {
    let paths = crate::paths();
    let mut sum = 0;
    for _ in 0..iterations {
        sum = crate::read(reader, text, &paths).map_err(|e| JsError::new(&e))?;
    }
    Ok(u32::try_from(sum).unwrap_or(u32::MAX))
}
