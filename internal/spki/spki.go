// Package spki computes the key pin Chromium's
// --ignore-certificate-errors-spki-list takes: the base64 SHA-256 of a
// certificate's SubjectPublicKeyInfo. The --ca check (harness) and the
// --try-fix mirror (mirror) both pin keys in that form.
package spki

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
)

// Pin is cert's key pin.
func Pin(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}
