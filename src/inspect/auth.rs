//! The inspector's credentials: HTTP Basic (RFC 7617: any user name, the token as
//! password, so a browser prompts) or `Authorization: Bearer <token>` for scripts.

/// The password or bearer token an `Authorization` header carries.
pub fn presented(header: &str) -> Option<String> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.trim().to_owned());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(rest.trim())?).ok()?;
    // The user name cannot contain `:`; the password can.
    decoded.split_once(':').map(|(_, password)| password.to_owned())
}

/// Standard base64 with padding optional; None on any other character.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let body = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in body.bytes() {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_gives_the_password_whatever_the_user_name() {
        // printf %s 'ops:s3cret' | base64
        assert_eq!(presented("Basic b3BzOnMzY3JldA==").as_deref(), Some("s3cret"));
        // printf %s ':pa:ss' | base64
        assert_eq!(presented("basic OnBhOnNz").as_deref(), Some("pa:ss"));
        // printf %s 'é:x' | base64
        assert_eq!(presented("Basic w6k6eA==").as_deref(), Some("x"));
    }

    #[test]
    fn bearer_gives_the_token_and_anything_else_nothing() {
        assert_eq!(presented("Bearer tok ").as_deref(), Some("tok"));
        assert_eq!(presented("Basic !!!"), None);
        assert_eq!(presented("Basic dXNlcg=="), None, "no colon: no password");
        assert_eq!(presented("Digest x"), None);
        assert_eq!(presented(""), None);
    }
}
