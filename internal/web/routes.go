package web

import (
	"net/http"

	"tilltal/internal/org"
)

// Access rules used by several routes.
var (
	communicator = RolesOf(org.Communicator)
	// seesAll are the roles whose work spans the whole municipality.
	seesAll = RolesOf(org.Communicator, org.Registrar, org.Legal)
)

// registerRoutes declares every route of the HTML interface with who may
// use it. Keep this the only place routes are added.
func (s *Server) registerRoutes() {
	s.handle("GET /healthz", Public, s.healthz)
	s.handle("GET /readyz", Public, s.readyz)
	s.handle("GET /static/", Public, s.static)

	s.handle("GET /login", Public, s.loginPage)
	s.handle("POST /login", Public, s.loginSubmit)
	s.handle("POST /logout", SignedIn, s.logout)
	s.handle("GET /login/oidc", Public, s.oidcStart)
	s.handle("GET /login/oidc/callback", Public, s.oidcCallback)

	s.handle("GET /{$}", SignedIn, s.home)

	s.handle("GET /inkorg", inboxReaders, s.inboxPage)
	s.handle("GET /inkorg/live", inboxReaders, s.inboxLive)
	s.handle("POST /inkorg/mass", inboxWorkers, s.inboxBulk)
	s.handle("GET /inkorg/{id}", inboxReaders, s.itemPage)
	s.handle("POST /inkorg/{id}/status", inboxWorkers, s.itemStatus)
	s.handle("POST /inkorg/{id}/tilldela", inboxWorkers, s.itemAssign)
	s.handle("POST /inkorg/{id}/anteckning", inboxWorkers, s.itemNote)
	s.handle("POST /inkorg/{id}/narvaro", inboxWorkers, s.itemPresence)
	s.handle("POST /inkorg/{id}/verksamhet", inboxWorkers, s.itemEscalate)
	s.handle("POST /inkorg/{id}/svar", inboxWorkers, s.itemReply)
	s.handle("POST /inkorg/{id}/kontroll", inboxWorkers, s.itemCheck)
	s.handle("POST /inkorg/{id}/atgard", inboxWorkers, s.itemModerate)
	s.handle("POST /inkorg/{id}/arende", incidentOpeners, s.itemOpenIncident)

	// Cases of criminal content; package incident lets legal see all and
	// an owner only their channels' (not found for anyone else).
	s.handle("GET /arenden", incidentWorkers, s.incidentsPage)
	s.handle("GET /arenden/rapport", incidentReaders, s.incidentReportPage)
	s.handle("GET /arenden/{id}", incidentWorkers, s.incidentPage)
	s.handle("GET /arenden/{id}/bevis/{n}", incidentWorkers, s.incidentPart)
	s.handle("GET /arenden/{id}/polisanmalan.zip", incidentWorkers, s.incidentBundle)
	s.handle("POST /arenden/{id}/{action}", incidentWorkers, s.incidentAction)

	// Publishing; package publish scopes single posts (NotFound outside).
	s.handle("GET /publicera", publishReaders, s.postsPage)
	s.handle("GET /publicera/nytt", publishers, s.postNewPage)
	s.handle("POST /publicera", publishers, s.postCreate)
	s.handle("GET /publicera/{id}", publishReaders, s.postPage)
	s.handle("GET /publicera/{id}/andra", publishers, s.postEditPage)
	s.handle("POST /publicera/{id}", publishers, s.postUpdate)
	s.handle("POST /publicera/{id}/skicka", publishers, s.postSubmit)
	s.handle("POST /publicera/{id}/beslut", publishers, s.postDecide)
	s.handle("POST /publicera/{id}/nu", publishers, s.postPublishNow)
	s.handle("POST /publicera/{id}/stall-in", publishers, s.postCancel)
	s.handle("GET /forhandsvisning/{sha}", publishReaders, s.imagePreview)
	s.handle("GET /samtycken", publishers, s.consentsPage)
	s.handle("POST /samtycken", publishers, s.consentCreate)
	s.handle("POST /samtycken/{id}/aterkalla", publishers, s.consentWithdraw)
	s.handle("GET /publiceringsregler", publishers, s.publishRulesPage)
	s.handle("POST /publiceringsregler/{id}", publishers, s.publishRuleSave)
	// The platforms fetch a post's image from here without signing in.
	s.handle("GET /media/{sha}", Public, s.media)

	s.handle("GET /svar", answerKeepers, s.answersPage)
	s.handle("GET /svar/ny", answerKeepers, s.answerNewPage)
	s.handle("POST /svar", answerKeepers, s.answerSave)
	s.handle("GET /svar/{id}", answerKeepers, s.answerEditPage)
	s.handle("POST /svar/{id}", answerKeepers, s.answerSave)

	s.handle("GET /verksamhet/fragor", deptAnswerers, s.questionsPage)
	s.handle("GET /verksamhet/fragor/{id}", deptAnswerers, s.questionPage)
	s.handle("POST /verksamhet/fragor/{id}", deptAnswerers, s.questionAnswer)

	s.handle("GET /admin/anvandare", communicator, s.usersPage)
	s.handle("GET /admin/anvandare/ny", communicator, s.userNewPage)
	s.handle("POST /admin/anvandare", communicator, s.userCreate)
	s.handle("GET /admin/anvandare/{id}", communicator, s.userEditPage)
	s.handle("POST /admin/anvandare/{id}", communicator, s.userUpdate)

	s.handle("GET /admin/verksamheter", SignedIn, s.departmentsPage)
	s.handle("POST /admin/verksamheter", communicator, s.departmentCreate)
	s.handle("GET /admin/verksamheter/{id}", SignedIn, s.departmentPage)
	s.handle("POST /admin/verksamheter/{id}", communicator, s.departmentUpdate)

	// The public channel list and its variants; the registry behind it.
	// Scoping of single channels is in package channel (NotFound outside).
	s.handle("GET /kanaler", Public, s.kanalerPage)
	s.handle("GET /kanaler/inbaddning", Public, s.kanalerEmbed)
	s.handle("GET /kanaler.json", Public, s.kanalerJSON)
	s.handle("GET /kanaler.atom", Public, s.kanalerAtom)
	s.handle("GET /admin/kanaler", SignedIn, s.channelsPage)
	s.handle("GET /admin/kanaler/ny", SignedIn, s.channelNewPage)
	s.handle("POST /admin/kanaler", SignedIn, s.channelRequest)
	s.handle("GET /admin/kanaler/{id}", SignedIn, s.channelPage)
	s.handle("POST /admin/kanaler/{id}", SignedIn, s.channelUpdate)
	s.handle("GET /admin/kanaler/{id}/andra", SignedIn, s.channelEditPage)
	s.handle("POST /admin/kanaler/{id}/personer", SignedIn, s.channelMembers)
	s.handle("GET /admin/kanaler/{id}/jourschema", SignedIn, s.channelRotaPage)
	s.handle("POST /admin/kanaler/{id}/jourschema", SignedIn, s.channelRotaSave)
	s.handle("POST /admin/kanaler/{id}/bevakningstid", communicator, s.channelPolicy)
	s.handle("POST /admin/kanaler/{id}/svarsmal", communicator, s.channelTarget)
	s.handle("POST /admin/kanaler/{id}/svarsregler", SignedIn, s.channelReplyRules)
	s.handle("POST /admin/kanaler/{id}/granskning", communicator, s.channelReview)
	s.handle("POST /admin/kanaler/{id}/status", communicator, s.channelStatus)
	s.handle("POST /admin/kanaler/{id}/ogonblicksbild", SignedIn, s.channelSnapshot)
	s.handle("GET /admin/kanaler/{id}/ogonblicksbilder/{sid}/{format}", SignedIn, s.channelSnapshotFile)
	s.handle("GET /admin/kanaler/{id}/regler", SignedIn, s.channelRulesPage)
	s.handle("POST /admin/kanaler/{id}/regler", SignedIn, s.channelRulesSave)

	s.handle("GET /diarium", diaryKeepers, s.diaryPage)
	s.handle("POST /diarium", diaryKeepers, s.diaryRegister)
	s.handle("GET /diarium/export/{format}", diaryKeepers, s.diaryExport)
	s.handle("GET /diarium/offentlig", Public, s.publicDiaryPage)
	s.handle("POST /inkorg/{id}/diarium", diaryKeepers, s.itemRegister)

	// Reports; the filter is scoped to the person's channels.
	s.handle("GET /rapporter", reportReaders, s.reportPage)
	s.handle("GET /rapporter/{name}", reportReaders, s.reportPage)
	s.handle("GET /rapporter/{name}/csv", reportReaders, s.reportExport("csv"))
	s.handle("GET /rapporter/{name}/xlsx", reportReaders, s.reportExport("xlsx"))
	s.handle("GET /rapporter/{name}/utskrift", reportReaders, s.reportPrint)
	s.handle("POST /rapporter/underlag", communicator, s.reportRebuild)

	// The archive of public records (archive_routes.go says who may do what).
	s.handle("GET /arkiv", archiveReaders, s.archivePage)
	s.handle("GET /arkiv/gallring", archiveReaders, s.retentionPage)
	s.handle("POST /arkiv/gallring/regler", registrar, s.retentionRuleAdd)
	s.handle("POST /arkiv/gallring/regler/{id}/upphor", registrar, s.retentionRuleEnd)
	s.handle("POST /arkiv/bevarande", holdKeepers, s.holdPlace)
	s.handle("POST /arkiv/bevarande/{id}/hav", holdKeepers, s.holdRelease)
	s.handle("GET /arkiv/export", registrar, s.exportPage)
	s.handle("POST /arkiv/export", registrar, s.exportStart)
	s.handle("GET /arkiv/export/{id}", registrar, s.exportDownload)
	s.handle("GET /arkiv/{seq}", archiveReaders, s.archiveRecordPage)
	s.handle("GET /arkiv/{seq}/bilagor/{pos}", archiveReaders, s.archiveAttachment)
	s.handle("POST /arkiv/{seq}/klass", registrar, s.archiveClass)

	// Records requests (utlämnande): the registrar handles them; legal reads.
	s.handle("GET /utlamnande", releaseReaders, s.releasesPage)
	s.handle("POST /utlamnande", registrar, s.releaseCreate)
	s.handle("GET /utlamnande/{id}", releaseReaders, s.releasePage)
	s.handle("GET /utlamnande/{id}/granskning", releaseReaders, s.releaseReviewPage)
	s.handle("POST /utlamnande/{id}/handlingar", registrar, s.releaseSelect)
	s.handle("POST /utlamnande/{id}/handlingar/{seq}/ta-bort", registrar, s.releaseUnselect)
	s.handle("POST /utlamnande/{id}/handlingar/{seq}/undanta", registrar, s.releaseWithhold)
	s.handle("POST /utlamnande/{id}/maskeringar", registrar, s.releaseRedact)
	s.handle("POST /utlamnande/{id}/maskeringar/{rid}/ta-bort", registrar, s.releaseUnredact)
	s.handle("POST /utlamnande/{id}/beslut", registrar, s.releaseDecide)
	s.handle("GET /utlamnande/{id}/beslut.html", releaseReaders, s.releaseDecision)
	s.handle("GET /utlamnande/{id}/beslut.pdf", releaseReaders, s.releaseDecision)
	s.handle("POST /utlamnande/{id}/utlamnande.zip", registrar, s.releaseBundle)

	s.handle("GET /admin/logg", seesAll, s.auditPage)
	s.handle("GET /admin/plattformar", communicator, s.platformsPage)
	s.handle("POST /admin/plattformar/kanaler/{id}/token", communicator, s.platformToken)
	s.handle("GET /admin/utskick", communicator, s.outboxPage)
	s.handle("POST /admin/utskick/webhooks", communicator, s.webhookCreate)
	s.handle("POST /admin/utskick/webhooks/{id}/test", communicator, s.webhookTest)

	s.handle("GET /konto", SignedIn, s.accountPage)
	s.handle("POST /konto/sprak", SignedIn, s.accountLanguage)
	s.handle("POST /konto/losenord", SignedIn, s.accountPassword)
	s.handle("POST /konto/nycklar", SignedIn, s.tokenCreate)
	s.handle("POST /konto/nycklar/{id}/aterkalla", SignedIn, s.tokenRevoke)

	for _, m := range s.Mount {
		s.mux.Handle(m.Pattern, s.guardHandler(m.Access, m.Handler))
		s.routes = append(s.routes, Route{Pattern: m.Pattern, Access: m.Access})
	}
}

func (s *Server) handle(pattern string, a Access, h handler) {
	s.mux.Handle(pattern, s.guard(a, h))
	s.routes = append(s.routes, Route{Pattern: pattern, Access: a})
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.FileServerFS(staticFS).ServeHTTP(w, r)
	return nil
}
