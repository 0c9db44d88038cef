package earchive

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
)

// PREMIS 3 elements Tilltal writes.

type premisID struct {
	Type  string `xml:"objectIdentifierType"`
	Value string `xml:"objectIdentifierValue"`
}

type premisObject struct {
	XMLName xml.Name   `xml:"object"`
	XSIType string     `xml:"xsi:type,attr"`
	IDs     []premisID `xml:"objectIdentifier"`
	Chars   struct {
		Level     int    `xml:"compositionLevel"`
		Algorithm string `xml:"fixity>messageDigestAlgorithm"`
		Digest    string `xml:"fixity>messageDigest"`
		Size      int64  `xml:"size"`
		Format    string `xml:"format>formatDesignation>formatName"`
	} `xml:"objectCharacteristics"`
	OriginalName string `xml:"originalName,omitempty"`
}

type premisLink struct {
	Type  string `xml:"linkingObjectIdentifierType"`
	Value string `xml:"linkingObjectIdentifierValue"`
}

type premisEvent struct {
	XMLName xml.Name `xml:"event"`
	ID      struct {
		Type  string `xml:"eventIdentifierType"`
		Value string `xml:"eventIdentifierValue"`
	} `xml:"eventIdentifier"`
	Type    string `xml:"eventType"`
	At      string `xml:"eventDateTime"`
	Detail  string `xml:"eventDetailInformation>eventDetail,omitempty"`
	Outcome string `xml:"eventOutcomeInformation>eventOutcome,omitempty"`
	Agent   struct {
		Type  string `xml:"linkingAgentIdentifierType"`
		Value string `xml:"linkingAgentIdentifierValue"`
	} `xml:"linkingAgentIdentifier"`
	Objects []premisLink `xml:"linkingObjectIdentifier"`
}

// Identifier types used across PREMIS.
const (
	idRecord   = "Tilltal arkivpost" // an archive record's seq
	idItem     = "Tilltal inkorgspost"
	idFilePath = "filepath"
	idPackage  = "OBJID"
)

// premisWriter streams objects and events to two scratch files, joined by
// finish: PREMIS wants every object before the first event.
type premisWriter struct {
	paths          [2]string
	files          [2]*os.File
	bufs           [2]*bufio.Writer
	objects, evEnc *xml.Encoder
	events         int
}

func newPREMIS(scratch string) (*premisWriter, error) {
	w := &premisWriter{}
	for i, name := range []string{"premis-objects.xml", "premis-events.xml"} {
		w.paths[i] = scratch + string(os.PathSeparator) + name
		f, err := os.Create(w.paths[i])
		if err != nil {
			return nil, fmt.Errorf("earchive: %w", err)
		}
		w.files[i], w.bufs[i] = f, bufio.NewWriterSize(f, 64<<10)
	}
	w.objects, w.evEnc = xml.NewEncoder(w.bufs[0]), xml.NewEncoder(w.bufs[1])
	w.objects.Indent(" ", " ")
	w.evEnc.Indent(" ", " ")
	return w, nil
}

// object describes a file of the package.
func (w *premisWriter) object(e fileEntry, seq int64, original string) error {
	o := premisObject{XSIType: "file", IDs: []premisID{{idFilePath, e.name}}, OriginalName: original}
	if seq != 0 {
		o.IDs = append(o.IDs, premisID{idRecord, strconv.FormatInt(seq, 10)})
	}
	o.Chars.Algorithm, o.Chars.Digest, o.Chars.Size, o.Chars.Format = "SHA-256", e.sha256, e.size, e.mime
	return w.objects.Encode(o)
}

// event records something that happened to records or items.
func (w *premisWriter) event(kind, at, detail string, links ...premisLink) error {
	w.events++
	var ev premisEvent
	ev.ID.Type, ev.ID.Value = "Tilltal händelse", strconv.Itoa(w.events)
	ev.Type, ev.At, ev.Detail, ev.Outcome = kind, at, detail, "success"
	ev.Agent.Type, ev.Agent.Value = "software", "Tilltal"
	ev.Objects = links
	return w.evEnc.Encode(ev)
}

// finish writes PREMIS.xml to out: objects, events, then the agent.
func (w *premisWriter) finish(out io.Writer) error {
	for i := range w.files {
		if err := w.flush(i); err != nil {
			return err
		}
	}
	io.WriteString(out, xml.Header)
	fmt.Fprintf(out, `<premis xmlns="%s" xmlns:xsi="%s" xsi:schemaLocation="%s ../../schemas/premis-v3-0.xsd" version="3.0">`+"\n", nsPREMIS, nsXSI, nsPREMIS)
	for _, p := range w.paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	enc := xml.NewEncoder(out)
	enc.Indent(" ", " ")
	agent := struct {
		XMLName xml.Name `xml:"agent"`
		Type    string   `xml:"agentIdentifier>agentIdentifierType"`
		Value   string   `xml:"agentIdentifier>agentIdentifierValue"`
		Name    string   `xml:"agentName"`
		Kind    string   `xml:"agentType"`
	}{Type: "software", Value: "Tilltal", Name: "Tilltal", Kind: "software"}
	if err := enc.Encode(agent); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(out, "\n</premis>\n")
	return err
}

func (w *premisWriter) flush(i int) error {
	enc := w.objects
	if i == 1 {
		enc = w.evEnc
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	return w.bufs[i].Flush()
}

func (w *premisWriter) close() {
	for _, f := range w.files {
		if f != nil {
			f.Close()
		}
	}
}
