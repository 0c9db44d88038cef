package earchive

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"os"
	"strconv"
	"time"

	"tilltal/internal/archive"
)

// ERMS (CITS ERMS 2.1, FGS Ärendehantering 2.0) elements Tilltal writes.

type ermsExtraID struct {
	Type  string `xml:"extraIdType,attr"`
	Value string `xml:",chardata"`
}

type ermsRestriction struct {
	Type        string `xml:"restrictionType,attr"`
	Explanation string `xml:"explanatoryText"`
	Regulation  string `xml:"regulation"`
}

type ermsDirection struct {
	Definition string `xml:"directionDefinition,attr"`
}

type ermsAgent struct {
	Type string `xml:"agentType,attr"`
	Name string `xml:"name"`
}

type ermsDate struct {
	Type  string `xml:"dateType,attr"`
	Value string `xml:",chardata"`
}

type ermsRecord struct {
	XMLName     xml.Name         `xml:"record"`
	SystemID    string           `xml:"systemIdentifier,attr"`
	RecordType  string           `xml:"recordType,attr"`
	Digital     string           `xml:"recordPhysicalOrDigital,attr"`
	ObjectID    string           `xml:"objectId"`
	ExtraIDs    []ermsExtraID    `xml:"extraId"`
	Title       string           `xml:"title,omitempty"`
	Restriction *ermsRestriction `xml:"restriction"`
	Direction   *ermsDirection   `xml:"direction"`
	Agents      []ermsAgent      `xml:"agents>agent"`
	Dates       []ermsDate       `xml:"dates>date"`
}

// ermsTime is the xs:dateTime ERMS dates take.
func ermsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ermsWriter streams ERMS.xml to a scratch file: one aggregation (case
// file) per conversation thread, opened when the thread changes; records
// arrive ordered by thread.
type ermsWriter struct {
	path   string
	f      *os.File
	buf    *bufio.Writer
	enc    *xml.Encoder
	open   bool
	thread int64
	aggs   int
}

func newERMS(path, org, packageID, created string) (*ermsWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("earchive: %w", err)
	}
	w := &ermsWriter{path: path, f: f, buf: bufio.NewWriterSize(f, 64<<10)}
	w.buf.WriteString(xml.Header)
	w.enc = xml.NewEncoder(w.buf)
	w.enc.Indent("", " ")
	root := xml.StartElement{Name: xml.Name{Space: nsERMS, Local: "erms"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "xmlns:xsi"}, Value: nsXSI},
		{Name: xml.Name{Local: "xsi:schemaLocation"}, Value: nsERMS + " ../../schemas/ERMS.xsd"},
	}}
	type ident struct {
		Type  string `xml:"identificationType,attr"`
		Value string `xml:",chardata"`
	}
	type event struct {
		Type struct {
			Value string `xml:"value,attr"`
		} `xml:"eventType"`
		At    string    `xml:"eventDateTime"`
		Agent ermsAgent `xml:"agent"`
	}
	control := struct {
		XMLName xml.Name `xml:"control"`
		IDs     []ident  `xml:"identification"`
		Status  struct {
			Value string `xml:"value,attr"`
		} `xml:"maintenanceInformation>maintenanceStatus"`
		Agency  string  `xml:"maintenanceInformation>maintenanceAgency>agencyName"`
		History []event `xml:"maintenanceInformation>maintenanceHistory>maintenanceEvent"`
	}{IDs: []ident{{"arkivbildare", org}, {"informationspaket", packageID}}, Agency: org}
	control.Status.Value = "new"
	ev := event{At: created, Agent: ermsAgent{Type: "creator", Name: "Tilltal"}}
	ev.Type.Value = "created"
	control.History = []event{ev}
	for _, step := range []func() error{
		func() error { return w.enc.EncodeToken(root) },
		func() error { return w.enc.Encode(control) },
		func() error { return w.enc.EncodeToken(el("aggregations")) },
	} {
		if err := step(); err != nil {
			f.Close()
			return nil, err
		}
	}
	return w, nil
}

// aggregation opens the case file of a thread.
func (w *ermsWriter) aggregation(thread int64, title string) error {
	if err := w.closeAggregation(); err != nil {
		return err
	}
	id := "tilltal-thread-" + strconv.FormatInt(thread, 10)
	objectID := "Tråd " + strconv.FormatInt(thread, 10)
	if thread == 0 {
		id, objectID = "tilltal-other", "Övriga handlingar"
	}
	start := el("aggregation", "systemIdentifier", id, "aggregationType", "caseFile")
	if err := w.enc.EncodeToken(start); err != nil {
		return err
	}
	if err := w.enc.EncodeElement(objectID, el("objectId")); err != nil {
		return err
	}
	if err := w.enc.EncodeElement(title, el("title")); err != nil {
		return err
	}
	w.open, w.thread = true, thread
	w.aggs++
	return nil
}

func (w *ermsWriter) closeAggregation() error {
	if !w.open {
		return nil
	}
	w.open = false
	return w.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: "aggregation"}})
}

// record writes one record into its thread's case file.
func (w *ermsWriter) record(r archive.Record, e ermsRecord, threadTitle string) error {
	if !w.open || w.thread != r.ThreadID {
		if err := w.aggregation(r.ThreadID, threadTitle); err != nil {
			return err
		}
	}
	return w.enc.Encode(e)
}

// finish ends the document; ERMS needs at least one aggregation.
func (w *ermsWriter) finish() error {
	if w.aggs == 0 {
		if err := w.aggregation(0, "Övriga handlingar"); err != nil {
			return err
		}
	}
	if err := w.closeAggregation(); err != nil {
		return err
	}
	if err := w.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: "aggregations"}}); err != nil {
		return err
	}
	if err := w.enc.EncodeToken(xml.EndElement{Name: xml.Name{Space: nsERMS, Local: "erms"}}); err != nil {
		return err
	}
	if err := w.enc.Flush(); err != nil {
		return err
	}
	if err := w.buf.Flush(); err != nil {
		return err
	}
	return w.f.Close()
}

func (w *ermsWriter) abort() { w.f.Close() }
