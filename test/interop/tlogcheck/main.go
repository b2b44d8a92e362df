// tlogcheck verifies AuditDesk's signed-note checkpoints, tlog-proof files and
// consistency proofs with the Go team's golang.org/x/mod/sumdb/note and sumdb/tlog,
// so the test suite checks our evidence with code we did not write.
//
//	tlogcheck checkpoint VKEY NOTE
//	tlogcheck proof VKEY PROOF LEAF_HEX
//	tlogcheck consistency VKEY OLD_NOTE NEW_NOTE PROOF_B64_LINES
//
// Exit 0 and "ok ..." on success; exit 1 with the reason otherwise.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

func read(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	return b
}

type head struct {
	origin string
	size   int64
	root   tlog.Hash
}

func openCheckpoint(vkeyPath string, msg []byte) head {
	v, err := note.NewVerifier(strings.TrimSpace(string(read(vkeyPath))))
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		fail("checkpoint text has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("checkpoint size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var h tlog.Hash
	copy(h[:], raw)
	return head{lines[0], size, h}
}

func hashes(lines []string) []tlog.Hash {
	var out []tlog.Hash
	for _, l := range lines {
		if l == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(l)
		if err != nil || len(raw) != tlog.HashSize {
			fail("proof line %q is not a base64 SHA-256 hash", l)
		}
		var h tlog.Hash
		copy(h[:], raw)
		out = append(out, h)
	}
	return out
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: tlogcheck checkpoint|proof|consistency ...")
	}
	switch os.Args[1] {
	case "checkpoint":
		h := openCheckpoint(os.Args[2], read(os.Args[3]))
		fmt.Printf("ok %s %d %s\n", h.origin, h.size, h.root)
	case "proof":
		text := string(read(os.Args[3]))
		parts := strings.SplitN(text, "\n\n", 2)
		if len(parts) != 2 {
			fail("proof file has no checkpoint")
		}
		lines := strings.Split(parts[0], "\n")
		if lines[0] != "c2sp.org/tlog-proof@v1" {
			fail("not a tlog-proof@v1 file")
		}
		lines = lines[1:]
		if strings.HasPrefix(lines[0], "extra ") {
			lines = lines[1:]
		}
		if !strings.HasPrefix(lines[0], "index ") {
			fail("no index line")
		}
		index, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "index "), 10, 64)
		if err != nil {
			fail("index: %v", err)
		}
		h := openCheckpoint(os.Args[2], []byte(parts[1]))
		leaf, err := hex.DecodeString(os.Args[4])
		if err != nil {
			fail("leaf: %v", err)
		}
		if err := tlog.CheckRecord(tlog.RecordProof(hashes(lines[1:])), h.size, h.root, index, tlog.RecordHash(leaf)); err != nil {
			fail("inclusion of leaf %d in %s at size %d: %v", index, h.origin, h.size, err)
		}
		fmt.Printf("ok leaf %d is in %s at size %d\n", index, h.origin, h.size)
	case "consistency":
		old := openCheckpoint(os.Args[2], read(os.Args[3]))
		cur := openCheckpoint(os.Args[2], read(os.Args[4]))
		if old.origin != cur.origin {
			fail("the checkpoints name different chains: %s and %s", old.origin, cur.origin)
		}
		lines := strings.Split(string(read(os.Args[5])), "\n")
		// AuditDesk's consistency.proof starts with four header lines; bare proofs have none.
		if lines[0] == "auditdesk-consistency/1" {
			lines = lines[4:]
		}
		proof := hashes(lines)
		if err := tlog.CheckTree(tlog.TreeProof(proof), cur.size, cur.root, old.size, old.root); err != nil {
			fail("tree of size %d does not extend the tree of size %d: %v", cur.size, old.size, err)
		}
		fmt.Printf("ok size %d extends size %d\n", cur.size, old.size)
	default:
		fail("unknown command %q", os.Args[1])
	}
}
