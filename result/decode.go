package result

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/corsproof/corsproof/cors"
	"github.com/corsproof/corsproof/internal/fileerr"
	"github.com/corsproof/corsproof/internal/input"
)

// Source says what shape a saved file had.
type Source string

// Shapes of saved files Decode understands.
const (
	// SourceRun is a whole run, as `corsproof run -o json` prints it.
	SourceRun Source = "run"
	// SourceRunLines is a run as JSON Lines (`corsproof run -o jsonl`).
	SourceRunLines Source = "jsonl"
	// SourceRecord is a single record, as `corsproof probe -o json` prints it.
	SourceRecord Source = "record"
)

// maxSavedFile bounds what Load reads, so a wrong path (a disk image, a
// device) fails clearly instead of exhausting memory.
const maxSavedFile = 256 << 20

// Load reads a saved run or record from a file (a regular file only, at
// most 256 MiB); see Decode.
func Load(path string) (*Run, Source, error) {
	data, _, err := input.Read(context.Background(), path, nil, maxSavedFile, "saved run", "")
	if err != nil {
		if len(fileerr.Problems(err)) > 0 {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("reading saved run: %w", err)
	}
	run, src, err := Decode(data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return run, src, nil
}

// Decode reads what corsproof saved: a run as JSON (`run -o json`), a run as
// JSON Lines (`run -o jsonl`, possibly cut short by a killed run), or a
// single record (`probe -o json`), which becomes a run of one record. It
// says which shape it found. Anything else is an error naming the line.
func Decode(data []byte) (*Run, Source, error) {
	// Offsets in errors count from the start of the file, so trim only to look.
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, "", errors.New("empty file: expected the JSON that `corsproof run -o json` or `corsproof probe -o json` writes")
	}
	if trimmed[0] != '{' {
		return nil, "", errors.New("not a JSON object: expected the JSON that `corsproof run -o json` or `corsproof probe -o json` writes")
	}
	// JSON Lines: more than one top-level value, the first being {"run": …}.
	dec := json.NewDecoder(bytes.NewReader(data))
	var first map[string]json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil, "", fmt.Errorf("parsing JSON: %w", jsonErrorAt(data, err))
	}
	if dec.More() {
		return decodeLines(data)
	}
	switch {
	case first["records"] != nil || first["suites"] != nil:
		var run Run
		if err := json.Unmarshal(data, &run); err != nil {
			return nil, "", fmt.Errorf("parsing run: %w", jsonErrorAt(data, err))
		}
		for i := range run.Records {
			if err := checkRecord(&run.Records[i]); err != nil {
				return nil, "", fmt.Errorf("records[%d]: %w", i, err)
			}
		}
		// Totals are derived data: a hand-edited or truncated file must not
		// make merge, baseline or a report count cases that are not there.
		saved := run.Totals
		run.Tally()
		if first["totals"] != nil {
			if err := checkTotals(saved, run.Totals); err != nil {
				return nil, "", err
			}
		}
		return &run, SourceRun, nil
	case first["verdict"] != nil && first["name"] != nil:
		var rec Record
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, "", fmt.Errorf("parsing record: %w", jsonErrorAt(data, err))
		}
		if err := checkRecord(&rec); err != nil {
			return nil, "", err
		}
		run := &Run{Settings: Settings{Tool: "corsproof", Browser: rec.Browser, Driver: rec.Driver}, Records: []Record{rec}}
		run.Tally()
		return run, SourceRecord, nil
	case first["run"] != nil:
		return decodeLines(data)
	}
	return nil, "", errors.New("neither a run (no \"records\") nor a record (no \"name\" and \"verdict\"): expected the JSON that `corsproof run -o json` or `corsproof probe -o json` writes")
}

// decodeLines reads a run written as JSON Lines.
func decodeLines(data []byte) (*Run, Source, error) {
	run := &Run{}
	var saved *Totals
	totalsLine := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxSavedFile)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(text, &probe); err != nil {
			return nil, "", fmt.Errorf("line %d: parsing JSON: %w", line, err)
		}
		switch {
		case probe["run"] != nil:
			if err := json.Unmarshal(probe["run"], run); err != nil {
				return nil, "", fmt.Errorf("line %d: parsing run header: %w", line, err)
			}
		case probe["totals"] != nil:
			// Recomputed below from the records actually present, and
			// checked against them.
			saved, totalsLine = &Totals{}, line
			if err := json.Unmarshal(probe["totals"], saved); err != nil {
				return nil, "", fmt.Errorf("line %d: parsing totals: %w", line, err)
			}
		default:
			var rec Record
			if err := json.Unmarshal(text, &rec); err != nil {
				return nil, "", fmt.Errorf("line %d: parsing record: %w", line, err)
			}
			if err := checkRecord(&rec); err != nil {
				return nil, "", fmt.Errorf("line %d: %w", line, err)
			}
			run.Records = append(run.Records, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("line %d: %w", line+1, err)
	}
	run.Tally()
	if saved != nil {
		if err := checkTotals(*saved, run.Totals); err != nil {
			return nil, "", fmt.Errorf("line %d: %w", totalsLine, err)
		}
	}
	return run, SourceRunLines, nil
}

// checkRecord refuses a record corsproof never writes: one without a name
// (a null or empty entry) or with a verdict outside the taxonomy, which
// explain, merge and --baseline would otherwise report as if a browser had
// said it.
func checkRecord(r *Record) error {
	if r.Name == "" {
		return errors.New("a record without a name (null or empty): the file was edited or damaged; use the file corsproof wrote")
	}
	if !r.Verdict.IsBrowserVerdict() && r.Verdict != cors.VerdictNotRun {
		names := make([]string, 0, 6)
		for _, v := range append(cors.BrowserVerdicts(), cors.VerdictNotRun) {
			names = append(names, string(v))
		}
		return fmt.Errorf("record %q: verdict %q is not one corsproof writes (%s): the file was edited or damaged; use the file corsproof wrote", r.Name, r.Verdict, strings.Join(names, ", "))
	}
	return nil
}

// jsonErrorAt adds the line and column to a JSON syntax or type error.
func jsonErrorAt(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
