//! The TypeScript declarations the package's `.d.ts` gets beyond the
//! generated ones (`types.d.ts`), and the Rust names of the types the
//! bindings take as arguments.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `OpenOptions` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "OpenOptions")]
    pub type OpenOptions;

    /// `ExportOptions` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "ExportOptions")]
    pub type ExportOptions;

    /// `TimeInput` of the TypeScript declarations: text, a `Date` or epoch milliseconds.
    #[wasm_bindgen(typescript_type = "TimeInput")]
    pub type TimeInput;

    /// `BacktrackTargetInput` of the TypeScript declarations.
    #[wasm_bindgen(typescript_type = "BacktrackTargetInput")]
    pub type BacktrackTargetInput;
}
