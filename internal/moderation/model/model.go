package model

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// MaxHeads bounds the outputs of a model.
const MaxHeads = 16

// Model is a trained logistic regression with one output per head.
type Model struct {
	// Heads names the outputs in order ("threat", "offensive", "question", …).
	Heads []string
	// w holds the weights bucket by bucket: w[b*len(Heads)+h].
	w    []float32
	bias []float32
}

// New returns a model with all weights zero.
func New(heads []string) (*Model, error) {
	if len(heads) == 0 || len(heads) > MaxHeads {
		return nil, fmt.Errorf("model: %d heads (1 to %d)", len(heads), MaxHeads)
	}
	return &Model{Heads: heads, w: make([]float32, Buckets*len(heads)), bias: make([]float32, len(heads))}, nil
}

// Head returns the index of the named head, or -1.
func (m *Model) Head(name string) int {
	for i, h := range m.Heads {
		if h == name {
			return i
		}
	}
	return -1
}

// scale is the value of each feature of a text with n features: features
// are weighed by 1/√n so that long texts do not pile up evidence.
func scale(n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(n)))
}

// Predict writes the probability of every head for a text's features to
// out, which must have room for len(m.Heads).
func (m *Model) Predict(feats []uint32, out []float64) {
	var z [MaxHeads]float32
	nh := len(m.Heads)
	copy(z[:nh], m.bias)
	var sum [MaxHeads]float32
	for _, f := range feats {
		row := m.w[int(f)*nh : int(f)*nh+nh]
		for h, v := range row {
			sum[h] += v
		}
	}
	x := scale(len(feats))
	for h := range nh {
		out[h] = sigmoid(float64(z[h] + x*sum[h]))
	}
}

// Contribution returns the weight that one feature adds to head h's score
// for a text with n features: what the explanation of a score is made of.
func (m *Model) Contribution(f uint32, h, n int) float64 {
	return float64(m.w[int(f)*len(m.Heads)+h] * scale(n))
}

func sigmoid(z float64) float64 {
	if z < -30 {
		return 0
	}
	if z > 30 {
		return 1
	}
	return 1 / (1 + math.Exp(-z))
}

// The weights file: gzip of the magic, the number of buckets' bits, the
// heads, and per head a scale and a bias, then one signed byte per weight.
// Weights are stored in 8 bits with a scale per head: the model loses
// nothing that matters and the file is a quarter of the size.
const magic = "TLTM1"

// WriteTo writes the model in the weights file format.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	zw := gzip.NewWriter(w)
	var buf bytes.Buffer
	buf.WriteString(magic)
	buf.WriteByte(Bits)
	buf.WriteByte(byte(len(m.Heads)))
	for _, h := range m.Heads {
		buf.WriteByte(byte(len(h)))
		buf.WriteString(h)
	}
	nh := len(m.Heads)
	scales := make([]float32, nh)
	for i, v := range m.w {
		scales[i%nh] = max(scales[i%nh], float32(math.Abs(float64(v)))/127)
	}
	for h := range nh {
		binary.Write(&buf, binary.LittleEndian, scales[h])
		binary.Write(&buf, binary.LittleEndian, m.bias[h])
	}
	q := make([]byte, len(m.w))
	for i, v := range m.w {
		if s := scales[i%nh]; s > 0 {
			q[i] = byte(int8(math.Round(float64(v / s))))
		}
	}
	buf.Write(q)
	n, err := zw.Write(buf.Bytes())
	if err != nil {
		return int64(n), err
	}
	return int64(n), zw.Close()
}

// Read reads a model written by WriteTo.
func Read(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	br := bufio.NewReader(zr)
	head := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if string(head[:len(magic)]) != magic || head[len(magic)] != Bits {
		return nil, errors.New("model: not a weights file of this version")
	}
	heads := make([]string, head[len(magic)+1])
	for i := range heads {
		n, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		heads[i] = string(b)
	}
	m, err := New(heads)
	if err != nil {
		return nil, err
	}
	scales := make([]float32, len(heads))
	for h := range heads {
		if err := binary.Read(br, binary.LittleEndian, &scales[h]); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		if err := binary.Read(br, binary.LittleEndian, &m.bias[h]); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	}
	q := make([]byte, len(m.w))
	if _, err := io.ReadFull(br, q); err != nil {
		return nil, fmt.Errorf("model: weights: %w", err)
	}
	for i, b := range q {
		m.w[i] = float32(int8(b)) * scales[i%len(heads)]
	}
	return m, nil
}
