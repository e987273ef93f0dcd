package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/corsproof/corsproof/policy"
	"github.com/corsproof/corsproof/scenarios"
)

// schemaOptions are the argument of `corsproof schema`.
type schemaOptions struct {
	f    *factory
	kind string
}

// schemas are the file formats `corsproof schema` prints.
var schemas = map[string]func() []byte{
	"suite":  scenarios.Schema,
	"policy": policy.Schema,
}

func newSchemaCmd(f *factory, runF func(context.Context, *schemaOptions) error) *cobra.Command {
	opts := &schemaOptions{f: f}
	if runF == nil {
		runF = runSchema
	}
	cmd := &cobra.Command{
		Use:   "schema suite|policy",
		Short: "Print the JSON Schema of the suite or the policy file format, for editors",
		Long: `Print the JSON Schema (draft 2020-12) of a file format corsproof reads, for an
editor's YAML language server. Suites corsproof writes start with the line

  ` + scenarios.SchemaComment + `

which points yaml-language-server (VS Code's YAML extension, Neovim, Helix,
JetBrains) at the published schema; to work offline, save this output and
point the line at the file instead: # yaml-language-server: $schema=./suite.schema.json`,
		Example: `  corsproof schema suite > suite.schema.json
  corsproof schema policy > policy.schema.json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"suite", "policy"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.kind = args[0]
			return runF(cmd.Context(), opts)
		},
	}
	return cmd
}

func runSchema(_ context.Context, opts *schemaOptions) error {
	schema, ok := schemas[opts.kind]
	if !ok {
		return usagef("write corsproof schema suite, or corsproof schema policy", "schema %q: not a file format corsproof reads", opts.kind)
	}
	_, err := opts.f.stdout.Write(schema())
	return err
}
