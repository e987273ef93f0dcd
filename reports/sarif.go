package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"

	"github.com/corsproof/corsproof/audit"
)

// SARIF 2.1.0 (OASIS), the format code-scanning dashboards import. Only
// the parts an audit fills are modelled.

// sarifSchemaURI is the schema a SARIF file names; the same schema ships in
// testdata, and the tests validate against it.
const sarifSchemaURI = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Attachments         []sarifAttachment `json:"attachments,omitempty"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifAttachment struct {
	Description      sarifText     `json:"description"`
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

// sarifLevel maps a severity to a SARIF level, and securitySeverity to the
// 0–10 score GitHub code scanning ranks security results by.
func sarifLevel(s audit.Severity) (level string, securitySeverity string) {
	switch s {
	case audit.SeverityHigh:
		return "error", "8.0"
	case audit.SeverityMedium:
		return "warning", "5.0"
	case audit.SeverityInfo:
		return "note", "1.0"
	}
	return "none", "0.0"
}

// writeSARIF writes the findings of an audit as one SARIF 2.1.0 run.
// Findings the browser refused are results of kind "pass": the rule was
// checked and the API held.
func writeSARIF(w io.Writer, rep *audit.Report) error {
	log := sarifLog{Schema: sarifSchemaURI, Version: "2.1.0"}
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: "corsproof", InformationURI: "https://github.com/corsproof/corsproof"}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(rep.Incomplete) == 0}},
		Results:     []sarifResult{},
	}
	for _, r := range audit.Rules {
		level := "error"
		if r.ID == audit.RuleVaryMissing || r.ID == audit.RulePreflightVaryMissing {
			// Harm takes a shared cache on the path: at most info.
			level = "note"
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, ShortDescription: sarifText{Text: r.Title}, Help: sarifText{Text: r.Help},
			DefaultConfiguration: sarifConfig{Level: level},
			Properties:           map[string]any{"tags": []string{"security", "cors"}},
		})
	}
	for _, f := range rep.Findings {
		level, score := sarifLevel(f.Severity)
		kind := "fail"
		if f.Severity == audit.SeverityNone {
			kind = "pass"
		}
		sum := sha256.Sum256([]byte(f.URL + "\n" + f.Rule))
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           slices.IndexFunc(audit.Rules, func(r struct{ ID, Title, Help string }) bool { return r.ID == f.Rule }),
			Kind:                kind,
			Level:               level,
			Message:             sarifText{Text: f.Title + ": " + f.Why},
			Locations:           []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: f.URL}}}},
			PartialFingerprints: map[string]string{"corsproofFinding/v1": hex.EncodeToString(sum[:16])},
			Properties: map[string]any{
				"severity":          string(f.Severity),
				"security-severity": score,
				"origin":            f.Origin,
				"origins":           f.Origins,
				"kinds":             f.Kinds,
				"request":           f.Request,
				"actual":            f.Actual,
				"read":              f.Read,
			},
		}
		if f.Preflight != nil {
			res.Properties["preflight"] = f.Preflight
		}
		if len(f.Answers) > 0 {
			res.Properties["answers"] = f.Answers
		}
		if f.PoC != "" {
			res.Attachments = []sarifAttachment{{Description: sarifText{Text: "proof-of-concept page: host it at " + f.Origin}, ArtifactLocation: sarifArtifact{URI: f.PoC}}}
		}
		run.Results = append(run.Results, res)
	}
	log.Runs = []sarifRun{run}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
