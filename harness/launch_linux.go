//go:build linux

package harness

import (
	"os/exec"
	"syscall"
)

// setDeathSignal asks Linux to kill the browser when corsproof dies
// first, so that a crashed or killed run leaves no browser behind.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
