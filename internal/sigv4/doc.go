// Package sigv4 authenticates S3 requests signed with AWS Signature Version 4
// (algorithm AWS4-HMAC-SHA256, service "s3"), by Authorization header or by
// presigned query, and verifies request bodies as they are read: the signed
// payload hash, aws-chunked chunk and trailer signatures, Content-MD5 and
// x-amz-checksum-* values. A Verifier for another service (Verifier.Service,
// such as "iam" for AWS's query APIs) authenticates that service's requests
// the same way, and ScopeService tells which service a request was signed
// for, to route it.
//
// Every error Verify returns, and every error a verifying Body's Read
// returns, is an *s3err.Error whose code and message are safe to send to the
// client. Secrets never appear in errors.
//
// # Canonical request
//
// The server rebuilds the canonical request from the request as received:
//
//		Method + "\n" +
//		CanonicalURI + "\n" +
//		CanonicalQuery + "\n" +
//		CanonicalHeaders + "\n" +
//		SignedHeaders + "\n" +
//		PayloadHash
//
//	  - Method is r.Method, unchanged.
//	  - CanonicalURI is the path exactly as the client sent it, taken from the
//	    raw request target (r.RequestURI, falling back to r.URL.EscapedPath()
//	    for requests not read by a server). S3 does not normalize or
//	    double-encode it; an empty path is "/".
//	  - CanonicalQuery is every query parameter (for presigned requests all but
//	    X-Amz-Signature), each name and value decoded as a form value ("+"
//	    is a space) and re-encoded per RFC 3986: bytes outside A-Z a-z 0-9
//	    - _ . ~ become %XX with upper-case hex. Pairs are sorted by encoded name,
//	    then by encoded value, and joined name=value with "&". A parameter with
//	    no "=" has an empty value.
//	  - CanonicalHeaders has one line "name:value\n" per name in SignedHeaders,
//	    in that order. Names are lower case. Each value is trimmed and its inner
//	    runs of spaces and tabs collapse to one space; repeated headers are
//	    joined with ",". The host header is r.Host (HTTP/2's :authority),
//	    content-length falls back to r.ContentLength and transfer-encoding to
//	    r.TransferEncoding, since net/http moves those out of r.Header.
//	  - SignedHeaders is the client's semicolon-separated list, used as given.
//	    It must include host. For header auth, every x-amz-* header present in
//	    the request must be signed.
//	  - PayloadHash is the x-amz-content-sha256 header: lower-case hex SHA-256
//	    of the body, UNSIGNED-PAYLOAD, or one of the STREAMING-* values. Header
//	    auth requires it. Presigned requests use UNSIGNED-PAYLOAD unless the
//	    header is present. For services other than s3 the header is optional
//	    in both forms: without it, PayloadHash is the hex SHA-256 of the body.
//
// The string to sign is "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope +
// "\n" + hex(SHA-256(canonical request)), where timestamp is X-Amz-Date (or
// the Date header in ISO 8601 basic form) and scope is
// date/region/service/aws4_request. The signing key is derived from the secret by
// HMAC-SHA256 over date, region, service and "aws4_request" in turn; derived
// keys are cached per access key, secret, date, region and service.
// Signatures are compared with hmac.Equal.
//
// # Bodies
//
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are aws-chunked: each chunk is
// "hex-size;chunk-signature=sig\r\n" + data + "\r\n", ending with a
// zero-size chunk. Each chunk's signature signs "AWS4-HMAC-SHA256-PAYLOAD",
// the timestamp, the scope, the previous signature (the request's for the
// first chunk), the SHA-256 of the empty string and the SHA-256 of the
// chunk's data. The -TRAILER variant follows the final chunk with trailer
// lines "name:value\r\n", the last being x-amz-trailer-signature, which signs
// "AWS4-HMAC-SHA256-TRAILER", the timestamp, the scope, the final chunk's
// signature and the SHA-256 of the trailers, each written "name:value\n".
// STREAMING-UNSIGNED-PAYLOAD-TRAILER chunks carry no signatures
// ("hex-size\r\n"). A blank line ends every body that has trailers. A
// trailer may also end "\n\r\n", as minio-go writes it and S3 accepts.
//
// Chunk-size lines are limited to 4 KiB, chunks to 256 MiB and trailers to
// 16 lines; data is streamed, never buffered whole.
package sigv4
