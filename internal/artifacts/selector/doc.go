// Package selector finds artifact versions among the keys of an S3 listing.
//
// It is pure: it does no I/O. A caller lists a bucket under [Pattern.Prefix],
// hands the objects to [Select], and gets back the matching artifacts, newest
// first, together with the keys it had to skip and why.
//
// # Patterns
//
// A [Pattern] is either a glob ([ParseGlob]) or a regular expression
// ([ParseRegexp]); both are matched against the whole key.
//
// Globs use the syntax of github.com/bmatcuk/doublestar/v4 with '/' as the
// separator: '*' matches any run of characters except '/', '?' one
// character, '[...]' a class, '{a,b}' alternatives, '**' as a whole path
// segment any number of segments, and '\' escapes the next character. The
// version of a glob match is the text matched by the first lone '*' that
// stands outside any class and any alternative: with "charts/app-*.tgz" the
// key "charts/app-1.2.3.tgz" has version "1.2.3". A run of two or more
// stars ('**') never gives the version. When a key can be split in more than
// one way, the version is taken from the leftmost place it can start and is
// the longest text that still lets the rest of the key match, as a greedy
// ".*" would. A glob without such a star matches keys but gives no version.
//
// Regular expressions use Go's RE2 syntax and must contain exactly one group
// named "version", whose text is the version; the expression is anchored to
// the whole key whether or not it starts with '^' or ends with '$'.
//
// Keys that are not valid UTF-8 never match: S3 object keys are UTF-8.
//
// # Versions and order
//
// With [BySemver] (the zero [Order]) versions are parsed as strict SemVer
// 2.0.0 (MAJOR.MINOR.PATCH, no leading zeros, optional pre-release and build
// metadata) with one allowance: a single leading lower-case 'v' is accepted
// and ignored, so "v1.2.3" and "1.2.3" are the same version. Precedence
// follows SemVer 2.0.0: a pre-release sorts before its release
// (1.0.0-rc.1 < 1.0.0); pre-release identifiers are compared one by one,
// numeric ones as numbers, alphanumeric ones in ASCII order, numeric before
// alphanumeric, and a shorter list before a longer one it is a prefix of
// (1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2
// < 1.0.0-beta.11 < 1.0.0-rc.1). Build metadata is ignored for precedence, so
// 1.0.0+a and 1.0.0+b tie.
//
// [ByModified] orders by LastModified and [ByName] by the version text in
// byte order (the key when the pattern gives no version). In every order a tie
// is broken by key, the greater key first, so the order is total and does not
// depend on the order of the input.
//
// Keys that match the pattern but whose version is not a valid semantic
// version are reported in [Result.Skipped] whenever versions must be parsed,
// that is when ordering [BySemver] or filtering by a constraint; they are
// never dropped silently.
//
// # Constraints
//
// A constraint such as ">=1.2, <2" or "^1.4 || ~2.0" filters the versions;
// its syntax is that of github.com/Masterminds/semver/v3. As there, a
// pre-release version satisfies a constraint only when a comparison in the
// same "||" group itself names a pre-release (">=1.2.0-0" admits
// 1.3.0-beta.1; ">=1.2" does not). Versions that fail the constraint are
// filtered out, not reported as skipped.
package selector
