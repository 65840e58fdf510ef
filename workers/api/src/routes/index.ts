import type { App } from '../app';
import { registerCalendarFeedPage } from '../pages/calendar-feed';
import { registerCardPage } from '../pages/card';
import { registerConsole } from '../pages/console';
import { registerHomePage } from '../pages/home';
import { registerLinkPage } from '../pages/link';
import { registerPartnerPage } from '../pages/partner';
import { registerProblemPages } from '../pages/problems';
import { registerQuestionnairePage } from '../pages/questionnaire';
import { registerReferralPages } from '../pages/referrals';
import { registerStaffPages } from '../pages/staff';
import { registerSurveyPage } from '../pages/survey';
import { registerUnsubscribePage } from '../pages/unsubscribe';
import { registerCreateApiKey } from './api-keys/create';
import { registerListApiKeys } from './api-keys/list';
import { registerRevokeApiKey } from './api-keys/revoke';
import { registerListAuditEvents } from './audit/list';
import { registerArchiveBranch } from './branches/archive';
import { registerCreateBranch } from './branches/create';
import { registerListBranches } from './branches/list';
import { registerUpdateBranch } from './branches/update';
import { registerListCallOutcomes } from './calls/list';
import { registerRecordCallOutcome } from './calls/record';
import { registerCardGet } from './cards/get';
import { registerApplyCodeWord } from './code-words/apply';
import { registerGenerateCodeWordCodes } from './code-words/codes';
import { registerCodeWordCodesCsv } from './code-words/codes-csv';
import { registerCreateCodeWord } from './code-words/create';
import { registerGetCodeWord } from './code-words/get';
import { registerListCodeWords } from './code-words/list';
import { registerUpdateCodeWord } from './code-words/update';
import { registerTodayFigures } from './figures/get';
import { registerRewardGoal } from './gifts/goal';
import { registerGiftSuggestions } from './gifts/suggestions';
import { registerInsightMonths } from './insight/months';
import { registerPatientInsight } from './insight/patient';
import { registerRefreshInsight } from './insight/refresh';
import { registerInsightSettings } from './insight/settings';
import { registerInsightSummary } from './insight/summary';
import { registerSetLocation } from './location/put';
import { registerLoyaltySettings } from './loyalty/settings';
import { registerVip } from './loyalty/vip';
import { registerGetMessage } from './messages/get';
import { registerListMessages } from './messages/list';
import { registerRetryMessage } from './messages/retry';
import { registerMessagingSettings } from './messages/settings';
import { registerMessageWebhooks } from './messages/webhooks';
import { registerHealth } from './meta/health';
import { registerJwks } from './meta/jwks';
import { registerMe } from './meta/me';
import { registerOpenApi } from './meta/openapi';
import { registerCreateOffer } from './offers/create';
import { registerGetOffer } from './offers/get';
import { registerListOffers } from './offers/list';
import { registerRemoveOfferPhoto } from './offers/photo-delete';
import { registerGetOfferPhoto } from './offers/photo-get';
import { registerPublishedOfferPhoto } from './offers/photo-public';
import { registerSetOfferPhoto } from './offers/photo-put';
import { registerUpdateOffer } from './offers/update';
import { registerCreateOrganization } from './organizations/create';
import { registerGetOrganization } from './organizations/get';
import { registerListOrganizations } from './organizations/list';
import { registerCreatePatient } from './patients/create';
import { registerGetPatient } from './patients/get';
import { registerListPatients } from './patients/list';
import { registerUpdatePatient } from './patients/update';
import { registerAgenda } from './plan/agenda';
import { registerPlanBudget } from './plan/budget';
import { registerCalendarFeed } from './plan/calendar-feed';
import { registerPlanCoverage } from './plan/coverage';
import { registerUpdatePlanItem } from './plan/item-update';
import { registerPlanItemsCsv } from './plan/items-csv';
import { registerGeneratePatientPlan } from './plan/patient-plan-generate';
import { registerGetPatientPlan } from './plan/patient-plan-get';
import { registerAddPlanItem } from './plan/patient-plan-item';
import { registerSetPatientPlanOwner } from './plan/patient-plan-owner';
import { registerResetPlanTemplate } from './plan/templates-delete';
import { registerListPlanTemplates } from './plan/templates-list';
import { registerSetPlanTemplate } from './plan/templates-put';
import { registerGetPointsBalance } from './points/balance';
import { registerGetPointsStatement } from './points/entries';
import { registerExpiringPoints } from './points/expiring';
import { registerGetLoyaltyProgram } from './points/program-get';
import { registerPutLoyaltyProgram } from './points/program-put';
import { registerListLoyaltyProgramVersions } from './points/program-versions';
import { registerRedeemPoints } from './points/redeem';
import { registerReversePointRedemption } from './points/reverse';
import { registerRecordVisit } from './points/visit';
import { registerGetQuestionnaire } from './questionnaire/get';
import { registerCreatePatientLink } from './questionnaire/links';
import { registerPutQuestionnaire } from './questionnaire/put';
import { registerSubmitQuestionnaireResponse } from './questionnaire/respond';
import { registerListQuestionnaireResponses } from './questionnaire/responses';
import { registerListQuestionnaireVersions } from './questionnaire/versions';
import { registerListRedemptions } from './redemptions/list';
import { registerRedeem } from './redemptions/redeem';
import { registerReverseRedemption } from './redemptions/reverse';
import { registerLinkReferral } from './referrals/link';
import { registerPatientReferrals } from './referrals/patient';
import { registerReferralTree } from './referrals/tree';
import { registerMonthlyReport } from './reports/monthly';
import { registerListPatientRewards } from './rewards/list';
import { registerUseReward } from './rewards/use';
import { registerArchiveSegment } from './segments/archive';
import { registerCreateSegment } from './segments/create';
import { registerGetSegment } from './segments/get';
import { registerListSegments } from './segments/list';
import { registerListSegmentMembers } from './segments/members';
import { registerSegmentMembersCsv } from './segments/members-csv';
import { registerSegmentMonths } from './segments/months';
import { registerPreviewSegment } from './segments/preview';
import { registerUpdateSegment } from './segments/update';
import { registerSettlementLines } from './settlement/lines';
import { registerSettlementLinesCsv } from './settlement/lines-csv';
import { registerReceipt } from './settlement/receipt';
import { registerReconciliation } from './settlement/reconciliation';
import { registerNetworkSettings } from './settlement/settings';
import { registerSettlementStatement } from './settlement/statement';
import { registerInviteStaff } from './staff/invite';
import { registerListSuggestions } from './suggestions/list';
import { registerMoveSuggestion } from './suggestions/update';
import { registerListSurveyResponses } from './surveys/list';
import { registerGetNps } from './surveys/nps';
import { registerRecordSurveyResponse } from './surveys/record';
import { registerResetMessageTemplate } from './templates/delete';
import { registerListMessageTemplates } from './templates/list';
import { registerPreviewMessageTemplate } from './templates/preview';
import { registerSetMessageTemplate } from './templates/put';
import { registerCreateVisitRule } from './visit-rules/create';
import { registerListVisitRules } from './visit-rules/list';
import { registerListPunchCards } from './visit-rules/punch-cards';
import { registerUpdateVisitRule } from './visit-rules/update';
import { registerReverseVisit } from './visits/reverse';
import { registerGetVoucher } from './vouchers/get';
import { registerIssueVoucher } from './vouchers/issue';
import { registerListVouchers } from './vouchers/list';
import { registerSendVoucher } from './vouchers/send';
import { registerVerifyVoucher } from './vouchers/verify';
import { registerVoidVoucher } from './vouchers/void';
import { registerListWinBack } from './win-back/list';

/** Every route of the API, in one visible list. Each route file states the roles that may call it. */
export function registerRoutes(app: App): void {
  registerHealth(app);

  // Network (operator)
  registerCreateOrganization(app);
  registerListOrganizations(app);
  registerGetOrganization(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);
  registerInviteStaff(app);
  registerMe(app);

  // Patients and the coalition card
  registerCreatePatient(app);
  registerListPatients(app);
  registerGetPatient(app);
  registerUpdatePatient(app);

  // Questionnaires, personal links and consent (issue 11)
  registerGetQuestionnaire(app);
  registerPutQuestionnaire(app);
  registerListQuestionnaireVersions(app);
  registerCreatePatientLink(app);
  registerSubmitQuestionnaireResponse(app);
  registerListQuestionnaireResponses(app);

  // Catalogue
  registerCreateOffer(app);
  registerListOffers(app);
  registerGetOffer(app);
  registerUpdateOffer(app);
  registerSetOfferPhoto(app);
  registerRemoveOfferPhoto(app);
  registerGetOfferPhoto(app);
  registerPublishedOfferPhoto(app);

  // Vouchers: issue, verify, redeem (verify is registered before /v1/vouchers/{id})
  registerJwks(app);
  registerIssueVoucher(app);
  registerVerifyVoucher(app);
  registerListVouchers(app);
  registerGetVoucher(app);
  registerVoidVoucher(app);
  registerSendVoucher(app);
  registerRedeem(app);
  registerListRedemptions(app);
  registerReverseRedemption(app);

  // Bonus points: the coalition card's account
  registerGetLoyaltyProgram(app);
  registerPutLoyaltyProgram(app);
  registerListLoyaltyProgramVersions(app);
  registerRecordVisit(app);
  registerGetPointsBalance(app);
  registerGetPointsStatement(app);
  registerRedeemPoints(app);
  registerReversePointRedemption(app);
  registerExpiringPoints(app);

  // The clinic's day: calls from the call list, and a few figures
  registerRecordCallOutcome(app);
  registerListCallOutcomes(app);
  registerTodayFigures(app);

  // Settlement: who owes whom each month
  registerNetworkSettings(app);
  registerSettlementStatement(app);
  registerSettlementLinesCsv(app);
  registerSettlementLines(app);
  registerReceipt(app);
  registerReconciliation(app);

  // The audit trail: every change, by whom
  registerListAuditEvents(app);

  // Reports: the clinic's months
  registerMonthlyReport(app);

  // Feedback: satisfaction surveys, NPS and the suggestions board (issue 11)
  registerRecordSurveyResponse(app);
  registerListSurveyResponses(app);
  registerGetNps(app);
  registerListSuggestions(app);
  registerMoveSuggestion(app);
  // Patient insight: A/B/C, loyalty quadrants, engagement, win-back (issue 11)
  registerInsightSettings(app);
  registerRefreshInsight(app);
  registerPatientInsight(app);
  // Segments and personas: saved rule sets over what the clinic knows (preview before /{id})
  registerPreviewSegment(app);
  registerListSegments(app);
  registerCreateSegment(app);
  registerGetSegment(app);
  registerUpdateSegment(app);
  registerArchiveSegment(app);
  registerSegmentMembersCsv(app);
  registerListSegmentMembers(app);
  registerSegmentMonths(app);
  // Insight: how the clinic's patients are distributed, month by month, and who to win back
  registerInsightSummary(app);
  registerInsightMonths(app);
  registerListWinBack(app);
  // Gift suggestions, branches and reward goals (issue 11)
  registerListBranches(app);
  registerCreateBranch(app);
  registerUpdateBranch(app);
  registerArchiveBranch(app);
  registerSetLocation(app);
  registerGiftSuggestions(app);
  registerRewardGoal(app);
  // Referrals: codes, invite links, the referral tree (issue 12)
  registerLinkReferral(app);
  registerPatientReferrals(app);
  registerReferralTree(app);
  registerCardGet(app);

  // Code words (issue 12): campaigns, codes per patient, and applying one at the desk
  registerListCodeWords(app);
  registerCreateCodeWord(app);
  registerGetCodeWord(app);
  registerUpdateCodeWord(app);
  registerGenerateCodeWordCodes(app);
  registerCodeWordCodesCsv(app);
  registerApplyCodeWord(app);
  // VIP, birthdays and rewards (issue 12)
  registerLoyaltySettings(app);
  registerVip(app);
  registerListPatientRewards(app);
  registerUseReward(app);

  // The plan: agenda, items, coverage, budget, CSV and calendar feeds (issue 12)
  registerAgenda(app);
  registerUpdatePlanItem(app);
  registerCalendarFeed(app);
  registerPlanCoverage(app);
  registerPlanBudget(app);
  registerPlanItemsCsv(app);
  // Every-Nth-visit rules, punch cards and visit reversals (issue 12)
  registerCreateVisitRule(app);
  registerListVisitRules(app);
  registerUpdateVisitRule(app);
  registerListPunchCards(app);
  registerReverseVisit(app);
  // The loyalty plan: templates, dated items, regeneration (issue 12)
  registerListPlanTemplates(app);
  registerSetPlanTemplate(app);
  registerResetPlanTemplate(app);
  registerGetPatientPlan(app);
  registerGeneratePatientPlan(app);
  registerSetPatientPlanOwner(app);
  registerAddPlanItem(app);
  // Templates and languages (issue 13)
  registerListMessageTemplates(app);
  registerPreviewMessageTemplate(app);
  registerSetMessageTemplate(app);
  registerResetMessageTemplate(app);

  // The outbox, delivery settings (issue 13)
  registerListMessages(app);
  registerGetMessage(app);
  registerRetryMessage(app);
  registerMessagingSettings(app);

  // Pages for people (HTML, not in the API document)
  registerCalendarFeedPage(app);
  registerHomePage(app);
  registerLinkPage(app);
  registerQuestionnairePage(app);
  registerSurveyPage(app);
  registerReferralPages(app);
  registerUnsubscribePage(app);
  registerMessageWebhooks(app);
  registerCardPage(app);
  registerStaffPages(app);
  registerConsole(app);
  registerPartnerPage(app);
  registerProblemPages(app);

  // Last: the document describes every route registered above.
  registerOpenApi(app);
}
