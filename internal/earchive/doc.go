// Package earchive exports archived records to the e-archive as an
// information package: Riksarkivet's FGS Paketstruktur 2.0 (E-ARK CSIP 2.1
// with the SIP 2.1 extension) holding FGS Ärendehantering 2.0 (CITS ERMS)
// descriptive metadata and PREMIS 3 preservation metadata.
//
// # The package
//
//	<id>/METS.xml                      CSIP/SIP root METS: agents, dmdSec (ERMS)
//	                                   and amdSec (PREMIS) with checksums, a
//	                                   fileSec listing every other file with
//	                                   SHA-256, size and MIME type, CSIP structMap
//	<id>/metadata/descriptive/ERMS.xml the case files (one per conversation
//	                                   thread) and records: diary number,
//	                                   direction, sender/receiver unless secret,
//	                                   dates, secrecy restriction with its ground
//	<id>/metadata/preservation/PREMIS.xml
//	                                   every file as an object; capture, edits,
//	                                   deletions, hides, classifications,
//	                                   registrations and holds as events
//	<id>/representations/rep1/data/    records/<seq>.json  Tilltal's normalised
//	                                   record; platform/<seq>.json the platform's
//	                                   delivery exactly as received;
//	                                   attachments/<seq>.<ext> attachment content
//	<id>/representations/rep2/data/    part-NNNN.html and .pdf: the records to
//	                                   read, 500 a part
//	<id>/schemas/                      every schema the XML files use
//
// A record's diary number is the archive's own (set when the diary
// registers records), else that of the diary entry of its item or of an
// incident opened on the item, whose secrecy the record then shares.
//
// The package id is "uuid-" and a random UUID (the METS OBJID). Culled
// records and culling records are not exported (what was culled is gone);
// an item version whose platform delivery was culled names no platform
// file, and PREMIS notes the delivery's culling (event "deletion").
// Quarantined media (package incident) is left out entirely.
//
// # Writing
//
// Records are read a page at a time in (thread, seq) order; ERMS, PREMIS and
// the fileSec are streamed to scratch files and METS.xml is written last, so
// memory does not grow with the number of records. The package is written
// under a temporary name (".<id>.partial" for a folder, ".<id>.zip.partial"
// for a ZIP) and renamed when complete, with scratch files beside it: a
// failed export leaves nothing behind, least of all something that looks
// like a package. Jobs runs exports on the job queue (table exports) with
// their progress and a heartbeat: a job handed out while the export's
// heartbeat is fresh is snoozed until it is stale, then the export is
// taken over and the dead worker's leftovers removed. The registrar starts them at /arkiv/export or
// /api/v1/exports, and tilltal export writes one from the command line.
package earchive
