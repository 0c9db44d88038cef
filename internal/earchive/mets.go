package earchive

import (
	"encoding/xml"
	"io"
	"os"
)

// Namespaces and schema locations of the package's XML.
const (
	nsMETS   = "http://www.loc.gov/METS/"
	nsXLink  = "http://www.w3.org/1999/xlink"
	nsXSI    = "http://www.w3.org/2001/XMLSchema-instance"
	nsCSIP   = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
	nsSIP    = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
	nsERMS   = "https://DILCIS.eu/XML/ERMS"
	nsPREMIS = "http://www.loc.gov/premis/v3"

	// profileSIP is the E-ARK SIP profile the package follows (CSIP6).
	profileSIP = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
)

// The fileSec groups (CSIP file group names) and their METS ids.
var groups = []struct{ id, use string }{
	{"grp-schemas", "Schemas"},
	{"grp-rep1", "Representations/rep1"},
	{"grp-rep2", "Representations/rep2"},
}

// Indexes into groups.
const (
	grpSchemas = iota
	grpRep1
	grpRep2
)

// metsFile is one file of the fileSec (CSIP66–79).
type metsFile struct {
	XMLName      xml.Name `xml:"file"`
	ID           string   `xml:"ID,attr"`
	MimeType     string   `xml:"MIMETYPE,attr"`
	Size         int64    `xml:"SIZE,attr"`
	Created      string   `xml:"CREATED,attr"`
	Checksum     string   `xml:"CHECKSUM,attr"`
	ChecksumType string   `xml:"CHECKSUMTYPE,attr"`
	FLocat       locat    `xml:"FLocat"`
}

type locat struct {
	LocType string `xml:"LOCTYPE,attr"`
	Type    string `xml:"xlink:type,attr"`
	Href    string `xml:"xlink:href,attr"`
}

// mdRef points at a metadata file from dmdSec or amdSec (CSIP 2.1 §5.3–5.4).
type mdRef struct {
	XMLName      xml.Name `xml:"mdRef"`
	LocType      string   `xml:"LOCTYPE,attr"`
	Type         string   `xml:"xlink:type,attr"`
	Href         string   `xml:"xlink:href,attr"`
	MDType       string   `xml:"MDTYPE,attr"`
	OtherMDType  string   `xml:"OTHERMDTYPE,attr,omitempty"`
	MimeType     string   `xml:"MIMETYPE,attr"`
	Size         int64    `xml:"SIZE,attr"`
	Created      string   `xml:"CREATED,attr"`
	Checksum     string   `xml:"CHECKSUM,attr"`
	ChecksumType string   `xml:"CHECKSUMTYPE,attr"`
}

type metsAgent struct {
	XMLName   xml.Name  `xml:"agent"`
	Role      string    `xml:"ROLE,attr"`
	Type      string    `xml:"TYPE,attr"`
	OtherType string    `xml:"OTHERTYPE,attr,omitempty"`
	Name      string    `xml:"name"`
	Note      *metsNote `xml:"note,omitempty"`
}

type metsNote struct {
	NoteType string `xml:"csip:NOTETYPE,attr"`
	Text     string `xml:",chardata"`
}

type metsDiv struct {
	XMLName xml.Name  `xml:"div"`
	ID      string    `xml:"ID,attr"`
	Label   string    `xml:"LABEL,attr"`
	DMDID   string    `xml:"DMDID,attr,omitempty"`
	ADMID   string    `xml:"ADMID,attr,omitempty"`
	Fptr    *fptr     `xml:"fptr,omitempty"`
	Divs    []metsDiv `xml:"div"`
}

type fptr struct {
	FileID string `xml:"FILEID,attr"`
}

func mref(e fileEntry, mdType, other string) mdRef {
	return mdRef{LocType: "URL", Type: "simple", Href: e.name, MDType: mdType, OtherMDType: other, MimeType: e.mime,
		Size: e.size, Created: e.created, Checksum: e.sha256, ChecksumType: "SHA-256"}
}

func el(name string, attrs ...string) xml.StartElement {
	s := xml.StartElement{Name: xml.Name{Local: name}}
	for i := 0; i+1 < len(attrs); i += 2 {
		s.Attr = append(s.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	return s
}

// writeMETS writes the root METS.xml: header, the metadata references, the
// fileSec from the groups' scratch files, and the CSIP structMap.
func (p *packer) writeMETS(w io.Writer, label, software, version, org string, erms, premis fileEntry) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	root := xml.StartElement{Name: xml.Name{Space: nsMETS, Local: "mets"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "xmlns:xlink"}, Value: nsXLink},
		{Name: xml.Name{Local: "xmlns:xsi"}, Value: nsXSI},
		{Name: xml.Name{Local: "xmlns:csip"}, Value: nsCSIP},
		{Name: xml.Name{Local: "xmlns:sip"}, Value: nsSIP},
		{Name: xml.Name{Local: "xsi:schemaLocation"}, Value: nsMETS + " schemas/mets.xsd " + nsXLink + " schemas/xlink.xsd " +
			nsCSIP + " schemas/DILCISExtensionMETS.xsd " + nsSIP + " schemas/DILCISExtensionSIPMETS.xsd"},
		{Name: xml.Name{Local: "OBJID"}, Value: p.id},
		{Name: xml.Name{Local: "LABEL"}, Value: label},
		// CSIP2: a content category from the CSIP vocabulary; the package
		// holds text, pictures and PDFs.
		{Name: xml.Name{Local: "TYPE"}, Value: "Mixed"},
		{Name: xml.Name{Local: "csip:CONTENTINFORMATIONTYPE"}, Value: "citserms_v2_1"},
		{Name: xml.Name{Local: "PROFILE"}, Value: profileSIP},
	}}
	hdr := el("metsHdr", "CREATEDATE", p.created, "RECORDSTATUS", "NEW", "csip:OAISPACKAGETYPE", "SIP")
	agents := []metsAgent{
		{Role: "CREATOR", Type: "OTHER", OtherType: "SOFTWARE", Name: software, Note: &metsNote{NoteType: "SOFTWARE VERSION", Text: version}},
		{Role: "ARCHIVIST", Type: "ORGANIZATION", Name: org},
	}
	steps := []func() error{
		func() error { return enc.EncodeToken(root) },
		func() error { return enc.EncodeToken(hdr) },
		func() error { return encodeAll(enc, agents) },
		func() error { return enc.EncodeToken(hdr.End()) },
		func() error {
			return enc.EncodeElement(struct {
				ID      string `xml:"ID,attr"`
				Created string `xml:"CREATED,attr"`
				Status  string `xml:"STATUS,attr"`
				Ref     mdRef
			}{"dmd-erms", erms.created, "CURRENT", mref(erms, "OTHER", "ERMS")}, el("dmdSec"))
		},
		func() error {
			type digiprov struct {
				XMLName xml.Name `xml:"digiprovMD"`
				ID      string   `xml:"ID,attr"`
				Status  string   `xml:"STATUS,attr"`
				Ref     mdRef
			}
			return enc.EncodeElement(struct{ D digiprov }{digiprov{ID: "digiprov-premis", Status: "CURRENT", Ref: mref(premis, "PREMIS", "")}}, el("amdSec"))
		},
		func() error { return p.writeFileSec(enc, w) },
		func() error { return enc.Encode(p.structMap(label)) },
		func() error { return enc.EncodeToken(root.End()) },
		enc.Flush,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func encodeAll[T any](enc *xml.Encoder, vs []T) error {
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// writeFileSec copies each group's scratch fragment of <file> elements
// between the group's start and end tags.
func (p *packer) writeFileSec(enc *xml.Encoder, w io.Writer) error {
	sec := el("fileSec", "ID", "filesec")
	if err := enc.EncodeToken(sec); err != nil {
		return err
	}
	for i, g := range groups {
		if p.counts[i] == 0 {
			continue
		}
		grp := el("fileGrp", "ID", g.id, "USE", g.use)
		if err := enc.EncodeToken(grp); err != nil {
			return err
		}
		// The encoder writes the start tag's ">" lazily; flush it before
		// the raw copy.
		if err := enc.Flush(); err != nil {
			return err
		}
		if err := p.frags[i].Flush(); err != nil {
			return err
		}
		f, err := os.Open(p.fragPaths[i])
		if err != nil {
			return err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return err
		}
		if err := enc.EncodeToken(grp.End()); err != nil {
			return err
		}
	}
	return enc.EncodeToken(sec.End())
}

// structMap is the CSIP structural map (CSIP80–CSIP118): metadata,
// schemas and each representation as divisions of the package.
func (p *packer) structMap(label string) any {
	divs := []metsDiv{{ID: "div-metadata", Label: "Metadata", DMDID: "dmd-erms", ADMID: "digiprov-premis"}}
	labels := []string{"Schemas", "Representations/rep1", "Representations/rep2"}
	for i, g := range groups {
		if p.counts[i] > 0 {
			divs = append(divs, metsDiv{ID: "div-" + g.id[4:], Label: labels[i], Fptr: &fptr{FileID: g.id}})
		}
	}
	return struct {
		XMLName xml.Name `xml:"structMap"`
		ID      string   `xml:"ID,attr"`
		Type    string   `xml:"TYPE,attr"`
		Label   string   `xml:"LABEL,attr"`
		Div     metsDiv
	}{ID: "structmap-csip", Type: "PHYSICAL", Label: "CSIP", Div: metsDiv{ID: "div-root", Label: label, Divs: divs}}
}
