package harness

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserThatCannotRun: a browser path that is not executable, a
// script without a #! line or with a missing interpreter, one that exits
// at once and one that never answers are each a LaunchError with a hint
// within seconds (the first three used to hang or be looked up on PATH);
// a relative path is resolved against the working directory.
func TestBrowserThatCannotRun(t *testing.T) {
	real, err := FindBrowser("")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), mode))
		return p
	}
	write("not-executable.sh", "#!/bin/sh\nexec '"+real+"' \"$@\"\n", 0o600)
	write("no-shebang.sh", "exec '"+real+"' \"$@\"\n", 0o700)
	write("no-interpreter.sh", "#!/nonexistent/sh\n", 0o700)
	write("exits.sh", "#!/bin/sh\necho 'no display' >&2\nexit 3\n", 0o700)
	write("chrome.sh", "#!/bin/sh\nexec '"+real+"' \"$@\"\n", 0o700)
	// Relative paths are the user's: resolved where they run corsproof.
	t.Chdir(dir)

	for _, tc := range []struct{ path, want, hint string }{
		{"./not-executable.sh", "permission denied", "chmod +x " + filepath.Join(dir, "not-executable.sh")},
		{"./no-shebang.sh", "exec format error", "a script needs a first line such as #!/bin/sh"},
		{"./no-interpreter.sh", "no such file or directory", "its interpreter /nonexistent/sh does not exist"},
		{"./exits.sh", "the browser exited before it answered (exit status 3): no display", "run it by hand"},
		{"./missing", "no such file or directory", "check the path"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			start := time.Now()
			b, err := Launch(context.Background(), Options{Path: tc.path})
			if b != nil {
				_ = b.Close()
			}
			assert.Less(t, time.Since(start), 10*time.Second)
			var le *LaunchError
			require.True(t, errors.As(err, &le), "%T %v", err, err)
			assert.Contains(t, le.Error(), "launching browser "+dir+"/", "the path as resolved")
			assert.Contains(t, le.Error(), tc.want)
			assert.Contains(t, le.Hint(), tc.hint)
		})
	}
	t.Run("a bare name is looked up on PATH", func(t *testing.T) {
		_, err := Launch(context.Background(), Options{Path: "chrome.sh"})
		var le *LaunchError
		require.True(t, errors.As(err, &le), "%v", err)
		assert.Contains(t, le.Hint(), "write ./chrome.sh")
	})
	t.Run("./chrome.sh runs", func(t *testing.T) {
		t.Setenv("CORSPROOF_BROWSER", "./chrome.sh")
		b, err := Launch(context.Background(), Options{})
		require.NoError(t, err, "a relative $CORSPROOF_BROWSER is not looked up on PATH")
		assert.Equal(t, filepath.Join(dir, "chrome.sh"), b.Path())
		require.NoError(t, b.Close())
	})
}

func TestBrowserThatNeverAnswers(t *testing.T) {
	t.Parallel()
	silent := filepath.Join(t.TempDir(), "silent.sh")
	require.NoError(t, os.WriteFile(silent, []byte("#!/bin/sh\nexec sleep 600\n"), 0o700))
	// The start limit applies from outside too: a shorter deadline ends
	// the wait sooner, and is not mistaken for an interrupt.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Launch(ctx, Options{Path: silent})
	took := time.Since(start)
	var le *LaunchError
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Contains(t, le.Error(), "no answer over DevTools within")
	assert.Contains(t, le.Hint(), "never answered over the DevTools protocol")
	assert.Less(t, took, 3*time.Second+abandonTimeout+5*time.Second)

	// --launch-timeout is the same limit, from the options.
	start = time.Now()
	_, err = Launch(context.Background(), Options{Path: silent, LaunchTimeout: 2 * time.Second})
	took = time.Since(start)
	require.True(t, errors.As(err, &le), "%v", err)
	assert.Contains(t, le.Error(), "no answer over DevTools within 2s")
	assert.Contains(t, le.Hint(), "--launch-timeout")
	assert.Less(t, took, 2*time.Second+abandonTimeout+5*time.Second)
}
