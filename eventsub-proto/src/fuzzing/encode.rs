//! The inverse of `arbitrary`'s decoding, so hand-built scenarios can be written out as seed files.

/// Writes a value as the bytes `arbitrary` decodes back into it: integers little-endian, `bool`
/// and `Option` as one byte, an enum variant as the `u32` the derive maps to its index.
pub(crate) trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

macro_rules! encode_le {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
encode_le!(u8, u16, u32, u64, i32, i64);

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(value) = self {
            value.encode(out);
        }
    }
}

/// Writes the discriminant of variant `index` of an enum with `count` variants: the smallest
/// `u32` that derive(Arbitrary)'s `(u32 * count) >> 32` maps to `index`.
pub(crate) fn variant(out: &mut Vec<u8>, index: u64, count: u64) {
    let value = (index << 32).div_ceil(count);
    out.extend_from_slice(&u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes());
}

/// Defines an enum of a scenario with `derive(Arbitrary)` and its [`Encode`], which writes
/// exactly what the derive reads: the variant's discriminant, then its fields in order. Variants
/// are unit-like or have named fields.
macro_rules! scenario_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident $({
                    $($(#[$field_meta:meta])* $field:ident: $ty:ty),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(arbitrary::Arbitrary, Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant $({ $($(#[$field_meta])* $field: $ty),* })?,
            )*
        }

        impl $crate::fuzzing::encode::Encode for $name {
            #[allow(unused_assignments)]
            fn encode(&self, out: &mut Vec<u8>) {
                const COUNT: u64 = [$(stringify!($variant)),*].len() as u64;
                let mut index = 0;
                $(
                    if let Self::$variant { $($($field),*)? } = self {
                        $crate::fuzzing::encode::variant(out, index, COUNT);
                        $($($crate::fuzzing::encode::Encode::encode($field, out);)*)?
                        return;
                    }
                    index += 1;
                )*
            }
        }
    };
}
pub(crate) use scenario_enum;

/// Defines a struct of a scenario with `derive(Arbitrary)` and its [`Encode`]: the fields in order.
macro_rules! scenario_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(arbitrary::Arbitrary, Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty),*
        }

        impl $crate::fuzzing::encode::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $($crate::fuzzing::encode::Encode::encode(&self.$field, out);)*
            }
        }
    };
}
pub(crate) use scenario_struct;
