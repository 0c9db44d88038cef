package score

// trie finds the word forms that are prefixes (or, built reversed,
// suffixes) of a token in one walk over its bytes.
type trie struct {
	nodes []tnode
}

type tnode struct {
	edges []tedge // sorted by byte
	atoms []int32 // atoms whose form ends here
}

type tedge struct {
	b  byte
	to int32
}

// add adds a form; reversed adds it back to front, for suffixes.
func (t *trie) add(s string, reversed bool, atom int32) {
	if len(t.nodes) == 0 {
		t.nodes = append(t.nodes, tnode{})
	}
	n := int32(0)
	for i := range len(s) {
		b := s[i]
		if reversed {
			b = s[len(s)-1-i]
		}
		next, ok := t.child(n, b)
		if !ok {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, tnode{})
			es := t.nodes[n].edges
			k := 0
			for k < len(es) && es[k].b < b {
				k++
			}
			es = append(es, tedge{})
			copy(es[k+1:], es[k:])
			es[k] = tedge{b, next}
			t.nodes[n].edges = es
		}
		n = next
	}
	t.nodes[n].atoms = append(t.nodes[n].atoms, atom)
}

func (t *trie) child(n int32, b byte) (int32, bool) {
	for _, e := range t.nodes[n].edges {
		if e.b == b {
			return e.to, true
		}
		if e.b > b {
			break
		}
	}
	return 0, false
}

// collect appends the atoms of every form that is a prefix of s (a suffix
// when reversed).
func (t *trie) collect(s string, reversed bool, dst []int32) []int32 {
	if len(t.nodes) == 0 {
		return dst
	}
	n := int32(0)
	for i := range len(s) {
		b := s[i]
		if reversed {
			b = s[len(s)-1-i]
		}
		next, ok := t.child(n, b)
		if !ok {
			return dst
		}
		n = next
		dst = append(dst, t.nodes[n].atoms...)
	}
	return dst
}
