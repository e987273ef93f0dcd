package reports

import (
	"maps"
	"slices"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/result"
	"github.com/corsproof/corsproof/scenarios"
)

// Redacted replaces the value of a credential header in reports.
const Redacted = "[redacted]"

// Redact returns a deep copy of run in which the values of credential
// headers (cors.IsSecretHeader: Authorization, Cookie, Set-Cookie,
// Proxy-Authorization and token-like names such as X-Api-Key) are replaced
// by "[redacted]" in the request's headers, the raw headers of every
// exchange and the headers the page could read, and every seeded cookie's
// value too. The run itself is not changed. Redact(nil) is nil.
func Redact(run *result.Run) *result.Run {
	out := cloneRun(run)
	if out == nil {
		return nil
	}
	for i := range out.Records {
		redactRecordInPlace(&out.Records[i])
	}
	return out
}

// RedactRecord is Redact for one record, for streaming output.
func RedactRecord(rec *result.Record) *result.Record {
	out := cloneRecord(rec)
	if out != nil {
		redactRecordInPlace(out)
	}
	return out
}

// redactRecordInPlace redacts a record that is already a private copy.
func redactRecordInPlace(rec *result.Record) {
	redactHeaders(rec.Request.Headers)
	for name := range rec.Cookies {
		rec.Cookies[name] = Redacted
	}
	redactHeaders(rec.Page.ReadableHeaders)
	for _, ex := range []*result.Exchange{rec.Preflight, rec.Actual} {
		if ex != nil {
			redactHeaders(ex.RequestHeaders)
			redactHeaders(ex.ResponseHeaders)
		}
	}
	for i := range rec.Redirects {
		redactHeaders(rec.Redirects[i].RequestHeaders)
		redactHeaders(rec.Redirects[i].ResponseHeaders)
	}
	for i := range rec.Steps {
		redactRecordInPlace(&rec.Steps[i])
	}
}

// redactHeaders replaces secret values in a header map in place.
func redactHeaders(h map[string]string) {
	for name := range h {
		if cors.IsSecretHeader(name) {
			h[name] = Redacted
		}
	}
}

// cloneRun deeply copies a run so reporters never change the caller's data.
func cloneRun(run *result.Run) *result.Run {
	if run == nil {
		return nil
	}
	out := *run
	out.Suites = slices.Clone(run.Suites)
	if run.Records != nil {
		out.Records = make([]result.Record, len(run.Records))
		for i := range run.Records {
			out.Records[i] = *cloneRecord(&run.Records[i])
		}
	}
	out.Totals.ByVerdict = maps.Clone(run.Totals.ByVerdict)
	return &out
}

// cloneRecord deeply copies a record.
func cloneRecord(rec *result.Record) *result.Record {
	if rec == nil {
		return nil
	}
	out := *rec
	out.Request.Headers = maps.Clone(rec.Request.Headers)
	out.Cookies = maps.Clone(rec.Cookies)
	out.Console = slices.Clone(rec.Console)
	out.Preflight = cloneExchange(rec.Preflight)
	out.Actual = cloneExchange(rec.Actual)
	if rec.Redirects != nil {
		out.Redirects = make([]result.Exchange, len(rec.Redirects))
		for i := range rec.Redirects {
			out.Redirects[i] = *cloneExchange(&rec.Redirects[i])
		}
	}
	out.Page.ReadableHeaders = maps.Clone(rec.Page.ReadableHeaders)
	if rec.AddressSpaces != nil {
		as := *rec.AddressSpaces
		out.AddressSpaces = &as
	}
	out.Expect = cloneExpect(rec.Expect)
	out.Mismatches = slices.Clone(rec.Mismatches)
	if rec.Diagnosis != nil {
		d := *rec.Diagnosis
		d.Warnings = slices.Clone(rec.Diagnosis.Warnings)
		out.Diagnosis = &d
	}
	if rec.Steps != nil {
		out.Steps = make([]result.Record, len(rec.Steps))
		for i := range rec.Steps {
			out.Steps[i] = *cloneRecord(&rec.Steps[i])
		}
	}
	return &out
}

// cloneExchange deeply copies an exchange.
func cloneExchange(ex *result.Exchange) *result.Exchange {
	if ex == nil {
		return nil
	}
	out := *ex
	out.RequestHeaders = maps.Clone(ex.RequestHeaders)
	out.ResponseHeaders = maps.Clone(ex.ResponseHeaders)
	out.CookiesSent = slices.Clone(ex.CookiesSent)
	if ex.CookiesBlocked != nil {
		out.CookiesBlocked = make([]result.Cookie, len(ex.CookiesBlocked))
		for i, c := range ex.CookiesBlocked {
			out.CookiesBlocked[i] = result.Cookie{Name: c.Name, Reasons: slices.Clone(c.Reasons)}
		}
	}
	return &out
}

// cloneExpect deeply copies expectations.
func cloneExpect(e *scenarios.Expect) *scenarios.Expect {
	if e == nil {
		return nil
	}
	out := *e
	if e.Preflight != nil {
		p := *e.Preflight
		out.Preflight = &p
	}
	if e.Status != nil {
		s := *e.Status
		out.Status = &s
	}
	out.ReadableHeaders = slices.Clone(e.ReadableHeaders)
	return &out
}

// diagnosisOf returns the record's diagnosis or an empty one, so renderers
// need no nil checks.
func diagnosisOf(rec *result.Record) cors.Diagnosis {
	if rec.Diagnosis == nil {
		return cors.Diagnosis{}
	}
	return *rec.Diagnosis
}
