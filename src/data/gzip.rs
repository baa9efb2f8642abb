//! Gzip decoding (RFC 1952) on top of `miniz_oxide`'s raw deflate: header with its optional fields,
//! deflate body, CRC-32 and length trailer, multi-member files.

use std::vec::Vec;

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

/// Why a gzip stream could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GzipError {
    /// The stream ends inside the header or trailer (`what` names the part).
    Truncated {
        /// The part being read: "header", "extra field", "file name", "trailer", ...
        what: &'static str,
    },
    /// The first two bytes are not the gzip magic `1f 8b`.
    NotGzip,
    /// Compression method other than 8 (deflate).
    UnsupportedMethod(u8),
    /// Reserved flag bits (5..7) are set.
    ReservedFlags(u8),
    /// The optional header CRC-16 (FHCRC) does not match the header.
    HeaderCrc {
        /// CRC-16 stored in the header.
        stored: u16,
        /// CRC-16 computed from the header bytes.
        computed: u16,
    },
    /// The deflate data is invalid or ends early.
    Deflate(&'static str),
    /// The CRC-32 in the trailer does not match the decompressed data.
    Crc {
        /// CRC-32 stored in the trailer.
        stored: u32,
        /// CRC-32 of the decompressed data.
        computed: u32,
    },
    /// The ISIZE field (length mod 2^32) does not match the decompressed length.
    Length {
        /// ISIZE stored in the trailer.
        stored: u32,
        /// Decompressed length mod 2^32.
        computed: u32,
    },
    /// Bytes after the last member that do not start another gzip member.
    TrailingGarbage {
        /// Number of such bytes.
        bytes: usize,
    },
}

impl core::fmt::Display for GzipError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            GzipError::Truncated { what } => write!(f, "gzip stream truncated in the {what}"),
            GzipError::NotGzip => write!(f, "not a gzip stream (magic bytes are not 1f 8b)"),
            GzipError::UnsupportedMethod(m) => {
                write!(
                    f,
                    "unsupported gzip compression method {m} (only 8, deflate)"
                )
            }
            GzipError::ReservedFlags(fl) => {
                write!(
                    f,
                    "gzip header has reserved flag bits set (flags {fl:#04x})"
                )
            }
            GzipError::HeaderCrc { stored, computed } => write!(
                f,
                "gzip header CRC-16 mismatch: stored {stored:#06x}, computed {computed:#06x}"
            ),
            GzipError::Deflate(why) => write!(f, "corrupt deflate data: {why}"),
            GzipError::Crc { stored, computed } => write!(
                f,
                "gzip CRC-32 mismatch: stored {stored:#010x}, data has {computed:#010x}"
            ),
            GzipError::Length { stored, computed } => write!(
                f,
                "gzip length mismatch: trailer says {stored} bytes, data has {computed}"
            ),
            GzipError::TrailingGarbage { bytes } => {
                write!(f, "{bytes} bytes of trailing garbage after the gzip data")
            }
        }
    }
}

impl std::error::Error for GzipError {}

/// True if `bytes` starts with the gzip magic `1f 8b`. IDX files start with `00 00`, so this tells
/// the two apart without looking at the file name.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses a whole gzip file: one or more members (RFC 1952 §2.2), each checked against its
/// CRC-32 and ISIZE. Anything after the last member is an error ([`GzipError::TrailingGarbage`]).
pub fn gunzip(mut input: &[u8]) -> Result<Vec<u8>, GzipError> {
    let mut out = Vec::new();
    loop {
        let used = member(input, &mut out)?;
        input = &input[used..];
        if input.is_empty() {
            return Ok(out);
        }
        if !is_gzip(input) {
            return Err(GzipError::TrailingGarbage { bytes: input.len() });
        }
    }
}

/// Decodes one member at the start of `input`, appending to `out`; returns the bytes consumed.
fn member(input: &[u8], out: &mut Vec<u8>) -> Result<usize, GzipError> {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;

    let mut r = Reader { buf: input, pos: 0 };
    let fixed = r.take(10, "header")?;
    if fixed[..2] != [0x1f, 0x8b] {
        return Err(GzipError::NotGzip);
    }
    if fixed[2] != 8 {
        return Err(GzipError::UnsupportedMethod(fixed[2]));
    }
    let flags = fixed[3];
    if flags & 0xe0 != 0 {
        return Err(GzipError::ReservedFlags(flags));
    }
    if flags & FEXTRA != 0 {
        let xlen = r.take(2, "extra field")?;
        let xlen = u16::from_le_bytes([xlen[0], xlen[1]]) as usize;
        r.take(xlen, "extra field")?;
    }
    if flags & FNAME != 0 {
        r.zero_terminated("file name")?;
    }
    if flags & FCOMMENT != 0 {
        r.zero_terminated("comment")?;
    }
    if flags & FHCRC != 0 {
        let computed = crc32(&input[..r.pos]) as u16;
        let stored = r.take(2, "header CRC")?;
        let stored = u16::from_le_bytes([stored[0], stored[1]]);
        if stored != computed {
            return Err(GzipError::HeaderCrc { stored, computed });
        }
    }

    let start = out.len();
    let consumed = inflate(&input[r.pos..], out)?;
    r.pos += consumed;

    let trailer = r.take(8, "trailer")?;
    let stored_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let stored_len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    let data = &out[start..];
    let computed = crc32(data);
    if computed != stored_crc {
        return Err(GzipError::Crc {
            stored: stored_crc,
            computed,
        });
    }
    let len = data.len() as u32; // ISIZE is the length modulo 2^32
    if len != stored_len {
        return Err(GzipError::Length {
            stored: stored_len,
            computed: len,
        });
    }
    Ok(r.pos)
}

/// Inflates raw deflate data from the start of `input`, appending to `out`; returns the input bytes
/// the deflate stream occupied.
fn inflate(input: &[u8], out: &mut Vec<u8>) -> Result<usize, GzipError> {
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut state = std::boxed::Box::<DecompressorOxide>::default();
    let mut pos = out.len();
    out.resize(pos + (input.len() * 4).max(64), 0);
    let mut consumed = 0;
    loop {
        let (status, used, written) = decompress(&mut state, &input[consumed..], out, pos, flags);
        consumed += used;
        pos += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(pos);
                return Ok(consumed);
            }
            TINFLStatus::HasMoreOutput => {
                let grow = out.len().max(64);
                out.resize(out.len() + grow, 0);
            }
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                return Err(GzipError::Deflate("the stream ends early"));
            }
            TINFLStatus::Adler32Mismatch => return Err(GzipError::Deflate("checksum mismatch")),
            TINFLStatus::BadParam => return Err(GzipError::Deflate("bad parameter")),
            TINFLStatus::Failed => return Err(GzipError::Deflate("invalid block data")),
        }
    }
}

/// A cursor over the header bytes that reports truncation by name.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], GzipError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or(GzipError::Truncated { what })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn zero_terminated(&mut self, what: &'static str) -> Result<(), GzipError> {
        let rest = &self.buf[self.pos..];
        let nul = rest.iter().position(|&b| b == 0);
        let nul = nul.ok_or(GzipError::Truncated { what })?;
        self.pos += nul + 1;
        Ok(())
    }
}

/// The CRC-32 used by gzip (IEEE 802.3, reflected polynomial `0xEDB88320`).
///
/// ```
/// assert_eq!(shaped::data::crc32(b"123456789"), 0xCBF4_3926);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc = CRC_TABLE[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};
