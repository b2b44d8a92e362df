// tlogcheck verifies AuditDesk's signed-note checkpoints, tlog-proof files and
// consistency proofs with the Go team's golang.org/x/mod/sumdb/note and sumdb/tlog,
// so the test suite checks our evidence with code we did not write.
//
//	tlogcheck checkpoint VKEY NOTE
//	tlogcheck proof VKEY PROOF LEAF_HEX
//	tlogcheck consistency VKEY OLD_NOTE NEW_NOTE PROOF_B64_LINES
//	tlogcheck cosignature SIGNER_VKEY COSIGNER_VKEY COSIGNED_NOTE
//
// x/mod's note knows Ed25519 keys of type 0x01 only. A C2SP tlog-cosignature/v1 key
// (type 0x04) is checked here by a note.Verifier of our own written with crypto/ed25519:
// note.Open still parses the note and dispatches the signature lines.
//
// Exit 0 and "ok ..." on success; exit 1 with the reason otherwise.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
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

// cosignatureV1 checks "cosignature/v1\ntime T\n" + note text against
// 8-byte big-endian T || 64-byte Ed25519 signature.
type cosignatureV1 struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	time uint64
}

func (c *cosignatureV1) Name() string    { return c.name }
func (c *cosignatureV1) KeyHash() uint32 { return c.hash }
func (c *cosignatureV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	if !ed25519.Verify(c.key, signed, sig[8:]) {
		return false
	}
	c.time = t
	return true
}

func cosignerVerifier(vkey string) *cosignatureV1 {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 {
		fail("cosigner key: expected name+keyid+key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		fail("cosigner key: not a cosignature/v1 (type 0x04) Ed25519 key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	id := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		fail("cosigner key: key ID does not match name and key")
	}
	return &cosignatureV1{name: parts[0], hash: id, key: ed25519.PublicKey(raw[1:])}
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
	case "cosignature":
		signer, err := note.NewVerifier(strings.TrimSpace(string(read(os.Args[2]))))
		if err != nil {
			fail("signer key: %v", err)
		}
		cosigner := cosignerVerifier(string(read(os.Args[3])))
		n, err := note.Open(read(os.Args[4]), note.VerifierList(signer, cosigner))
		if err != nil {
			fail("cosignature: %v", err)
		}
		cosigned := false
		for _, s := range n.Sigs {
			cosigned = cosigned || (s.Name == cosigner.name && s.Hash == cosigner.hash)
		}
		if !cosigned {
			fail("cosignature: the note carries no cosignature by %s", cosigner.name)
		}
		fmt.Printf("ok cosignature by %s at %d\n", cosigner.name, cosigner.time)
	default:
		fail("unknown command %q", os.Args[1])
	}
}
