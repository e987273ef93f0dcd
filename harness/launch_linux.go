//go:build linux

package harness

import (
	"os/exec"
	"syscall"
)

// setDeathSignal asks Linux to kill the browser when corsproof dies
// first, so that a crashed or killed run leaves no browser behind. The
// browser gets a process group of its own, so that killTree reaches its
// children too (a terminal's Ctrl-C still reaches corsproof, which stops
// the browser itself).
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// killTree sends SIGKILL to the browser's process group: the browser, its
// zygote and renderers, or the children of a wrapper script.
func killTree(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
