//! A hand-rolled `Deserialize` for structs that keep unknown fields.
//!
//! `#[serde(flatten)]` makes serde buffer every field of the object into an intermediate
//! tree before it sorts them out, which made decoding a page of rows slower than decoding
//! plain `serde_json::Value`. The impl emitted here reads the object once: known keys go
//! straight into their fields, any other key into the `extra` map. Serialization still
//! uses the derive (flattening costs nothing there).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// One declared field of the struct.
pub(crate) struct DeField {
    /// The key on the wire.
    pub wire: String,
    pub ident: syn::Ident,
    /// The field's type as declared.
    pub ty: TokenStream,
    /// Declared `Option<…>`: a missing key is `None`. Otherwise a missing key is an error.
    pub optional: bool,
}

/// `impl Deserialize for #name`, with `rt` the runtime path in scope.
/// `extra` is the type of the map that keeps the other keys.
pub(crate) fn map_deserialize(
    name: &syn::Ident,
    fields: &[DeField],
    extra: &TokenStream,
) -> TokenStream {
    let slots: Vec<syn::Ident> = (0..fields.len())
        .map(|i| format_ident!("field_{}", i))
        .collect();
    let decls = fields.iter().zip(&slots).map(|(f, slot)| {
        let ty = &f.ty;
        quote!(let mut #slot: Option<#ty> = None;)
    });
    let arms = fields.iter().zip(&slots).map(|(f, slot)| {
        let wire = &f.wire;
        let (len, last) = dispatch_key(wire);
        quote! {
            (#len, #last) if key_str == #wire => {
                if #slot.is_some() {
                    return Err(rt::serde::de::Error::duplicate_field(#wire));
                }
                #slot = Some(map.next_value()?);
            }
        }
    });
    let inits = fields.iter().zip(&slots).map(|(f, slot)| {
        let ident = &f.ident;
        let wire = &f.wire;
        if f.optional {
            quote!(#ident: #slot.flatten(),)
        } else {
            quote!(#ident: #slot.ok_or_else(|| rt::serde::de::Error::missing_field(#wire))?,)
        }
    });
    let expecting = format!("a `{name}` object");
    // Matching on length and last byte first is one jump, where a plain `match` on the key
    // compares it with every name in turn; the guard then compares the whole key.
    let dispatch = if fields.is_empty() {
        quote!(extra.keep(key, map.next_value()?);)
    } else {
        quote! {
            let key_str = key.as_str();
            match (key_str.len(), key_str.as_bytes().last().copied().unwrap_or(0)) {
                #(#arms)*
                _ => extra.keep(key, map.next_value()?),
            }
        }
    };
    quote! {
        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Fields;
                impl<'de> rt::serde::de::Visitor<'de> for Fields {
                    type Value = #name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: rt::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                        #(#decls)*
                        let mut extra = rt::ExtraFields::<#extra>::new();
                        while let Some(key) = map.next_key::<rt::Key<'de>>()? {
                            #dispatch
                        }
                        Ok(#name {
                            #(#inits)*
                            extra: extra.finish(),
                        })
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    }
}

/// The length and last byte of a key as literals, as the generated `match` tests them
/// first (0 for an empty key; a character literal when the byte is printable ASCII).
fn dispatch_key(wire: &str) -> (Literal, Literal) {
    let last = wire.as_bytes().last().copied().unwrap_or(0);
    let last = if last.is_ascii_graphic() || last == b' ' {
        Literal::byte_character(last)
    } else {
        Literal::u8_unsuffixed(last)
    };
    (Literal::usize_unsuffixed(wire.len()), last)
}
