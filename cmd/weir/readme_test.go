package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeCommandsWork runs every `bin/weir …` line of the README's shell
// blocks in-process, from the repository root, and expects exit status 0:
// the tour must stay true.
func TestReadmeCommandsWork(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	// Outputs written by the tour's commands are removed afterwards, so the
	// example data stays as committed.
	before := listFiles(t, "examples")
	defer func() {
		for f := range listFiles(t, "examples") {
			if !before[f] {
				os.Remove(f)
			}
		}
	}()

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	n := 0
	for _, b := range blocks {
		for _, line := range strings.Split(b[1], "\n") {
			stdin := ""
			if m := regexp.MustCompile(`^echo '(.*)' \| (bin/weir .*)$`).FindStringSubmatch(line); m != nil {
				stdin, line = m[1], m[2]
			}
			if !strings.HasPrefix(line, "bin/weir ") {
				continue
			}
			n++
			args := strings.Fields(strings.TrimPrefix(line, "bin/weir "))
			code, _, errOut := weir(t, stdin, args...)
			if code != exitOK {
				t.Errorf("README command %q: exit %d: %s", line, code, errOut)
			}
		}
	}
	if n < 4 {
		t.Errorf("found only %d bin/weir commands in the README", n)
	}
}

func listFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	var walk func(string)
	walk = func(d string) {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := d + "/" + e.Name()
			if e.IsDir() {
				walk(p)
			} else {
				files[p] = true
			}
		}
	}
	walk(dir)
	return files
}
