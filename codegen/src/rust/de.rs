//! A hand-rolled `Deserialize` for structs that keep unknown fields.
//!
//! `#[serde(flatten)]` makes serde buffer every field of the object into an intermediate
//! tree before it sorts them out, which made decoding a page of rows slower than decoding
//! plain `serde_json::Value`. The impl emitted here reads the object once: known keys go
//! straight into their fields, any other key into the `extra` map. Serialization still
//! uses the derive (flattening costs nothing there).

use proc_macro2::TokenStream;
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
        quote! {
            #wire => {
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
    let dispatch = if fields.is_empty() {
        quote!(rt::keep(&mut extra, key, map.next_value()?);)
    } else {
        quote! {
            match key.as_str() {
                #(#arms)*
                _ => rt::keep(&mut extra, key, map.next_value()?),
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
                        let mut extra: #extra = Default::default();
                        while let Some(key) = map.next_key::<rt::Key<'de>>()? {
                            #dispatch
                        }
                        Ok(#name {
                            #(#inits)*
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    }
}
