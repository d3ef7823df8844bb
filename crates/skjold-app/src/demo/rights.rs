//! The demo's rights cases, one in every state: an access request decided with its draft
//! answer to review, one gathering parts from the units and a supplier (due within a
//! week), a rectification answered with the supplier's notice waiting, a restriction
//! decided, an objection past its deadline, a portability request extended, and an erasure
//! carried out.

use skjold_core::rights::RightKind;
use skjold_core::{Actor, FieldKey};

use super::DemoCitizen;
use crate::rights::{AccessInput, CaseInput, DecisionInput};
use crate::{App, AppError};

/// The first citizen of the rights cases.
const FIRST: usize = 40;

/// A request received `days_ago`, about `items` of the citizen's data.
struct Request<'a> {
    citizen: &'a DemoCitizen,
    kind: RightKind,
    channel: &'static str,
    days_ago: i32,
    description: &'static str,
    access: Option<(&'static str, &'static str, &'static str)>,
    items: &'a [FieldKey],
}

impl App {
    async fn demo_request(&self, actor: &Actor, r: Request<'_>) -> Result<uuid::Uuid, AppError> {
        // As at the desk: the citizen is found by CPR number first.
        self.find_citizen(actor, &r.citizen.cpr.formatted()).await?;
        let view = self.citizen(actor, r.citizen.id).await?;
        let input = CaseInput {
            citizen: r.citizen.id,
            kind: r.kind.key().to_owned(),
            received_on: self.now().local_date().plus_days(-r.days_ago).to_string(),
            channel: r.channel.to_owned(),
            description: r.description.to_owned(),
            access: r.access.map(|(wish, scope, detail)| AccessInput {
                wish: wish.to_owned(),
                scope: scope.to_owned(),
                scope_detail: detail.to_owned(),
                ..AccessInput::default()
            }),
            items: view
                .data
                .iter()
                .filter(|d| r.items.contains(&d.field))
                .map(|d| d.id)
                .collect(),
            restrict_while_investigating: r.kind == RightKind::Rectification,
        };
        Ok(self.open_rights_case(actor, &input).await?.0)
    }

    async fn demo_decide(
        &self,
        actor: &Actor,
        case: uuid::Uuid,
        decision: DecisionInput,
    ) -> Result<(), AppError> {
        self.check_rights_identity(actor, case, "MitID ved fremmøde i Borgerservice")
            .await?;
        self.decide_rights_case(actor, case, &decision).await
    }

    /// The demo's rights cases, registered by `caseworker` for citizens from the 41st on
    /// (the first are left to the scenarios that build on the demo), with orders for the
    /// first four so that answers and notices have recipients. The last citizen is erased
    /// and leaves the list.
    pub(super) async fn demo_rights(
        &self,
        caseworker: &Actor,
        citizens: &mut Vec<DemoCitizen>,
        order: impl AsyncFn(&DemoCitizen, &str, &str) -> Result<uuid::Uuid, AppError>,
    ) -> Result<Option<DemoCitizen>, AppError> {
        if citizens.len() < FIRST + 7 {
            return Ok(None);
        }
        let Some(erased) = citizens.pop() else {
            return Ok(None);
        };
        let [c0, c1, c2, c3, c4, c5] = &citizens[FIRST..FIRST + 6] else {
            return Ok(None);
        };
        order(c0, "MENTOR", "Mentorhuset ApS").await?;
        order(c1, "PRAKTIK", "Praktikpartner A/S").await?;
        order(c2, "MENTOR", "Mentorhuset ApS").await?;
        order(c3, "PRAKTIK", "Praktikpartner A/S").await?;
        let granted = |reasons: &str| DecisionInput {
            outcome: "granted".into(),
            reasons: reasons.into(),
            ..DecisionInput::default()
        };

        // Access, decided: the draft answer waits for the review of third parties' data.
        let access = self
            .demo_request(
                caseworker,
                Request {
                    citizen: c0,
                    kind: RightKind::Access,
                    channel: "digital_post",
                    days_ago: 3,
                    description: "Jeg vil gerne se, hvilke oplysninger I har givet videre om mig til min mentor.",
                    access: Some(("my_data_in_a_case", "case", "Mentorforløb")),
                    items: &[],
                },
            )
            .await?;
        self.demo_decide(
            caseworker,
            access,
            granted("Borgeren har ret til indsigt i egne oplysninger; der er ikke grundlag for at undtage noget."),
        )
        .await?;

        // Access to the whole administration: parts from every unit and the supplier.
        self.demo_request(
            caseworker,
            Request {
                citizen: c1,
                kind: RightKind::Access,
                channel: "letter",
                days_ago: 25,
                description: "Anmodning om alle oplysninger, kommunen har om mig i beskæftigelsesforvaltningen.",
                access: Some(("my_data_broadly", "administration", "Beskæftigelsesforvaltningen")),
                items: &[],
            },
        )
        .await?;

        // Rectification of a wrong job goal: granted, answered; the supplier is told.
        let rectification = self
            .demo_request(
                caseworker,
                Request {
                    citizen: c2,
                    kind: RightKind::Rectification,
                    channel: "phone",
                    days_ago: 12,
                    description: "Mit jobmål er forkert registreret; jeg søger job som tømrer, ikke som maler.",
                    access: None,
                    items: &[FieldKey::JobGoal],
                },
            )
            .await?;
        self.demo_decide(
            caseworker,
            rectification,
            DecisionInput {
                judgement: "incorrect".into(),
                note: "Jobmålet er tømrer (oplyst af borgeren og bekræftet i jobsamtale).".into(),
                reasons: "Oplysningen er urigtig; det fremgår af referatet af jobsamtalen.".into(),
                ..DecisionInput::default()
            },
        )
        .await?;
        self.send_rights_answer(caseworker, rectification).await?;

        // Restriction while a dispute is settled: decided, the letter not yet sent.
        let restriction = self
            .demo_request(
                caseworker,
                Request {
                    citizen: c3,
                    kind: RightKind::Restriction,
                    channel: "email",
                    days_ago: 8,
                    description: "Brug ikke min erhvervserfaring, før I har rettet den.",
                    access: None,
                    items: &[FieldKey::WorkExperience],
                },
            )
            .await?;
        self.demo_decide(
            caseworker,
            restriction,
            DecisionInput {
                outcome: "granted".into(),
                ground: "accuracy_disputed".into(),
                reasons:
                    "Borgeren bestrider rigtigheden; behandlingen begrænses, mens det undersøges."
                        .into(),
                ..DecisionInput::default()
            },
        )
        .await?;

        // An objection past its deadline.
        self.demo_request(
            caseworker,
            Request {
                citizen: c4,
                kind: RightKind::Objection,
                channel: "in_person",
                days_ago: 40,
                description: "Jeg gør indsigelse mod, at mine oplysninger bruges til statistik.",
                access: None,
                items: &[],
            },
        )
        .await?;

        // Portability, extended with a notice to the citizen.
        let portability = self
            .demo_request(
                caseworker,
                Request {
                    citizen: c5,
                    kind: RightKind::Portability,
                    channel: "form",
                    days_ago: 20,
                    description: "Jeg vil have mine oplysninger udleveret i et maskinlæsbart format.",
                    access: None,
                    items: &[],
                },
            )
            .await?;
        self.extend_rights_case(
            caseworker,
            portability,
            1,
            "Oplysningerne ligger i flere fagsystemer, der skal trækkes ud hver for sig.",
        )
        .await?;

        // Erasure of a citizen with no open case: granted, the key destroyed.
        let erasure = self
            .demo_request(
                caseworker,
                Request {
                    citizen: &erased,
                    kind: RightKind::Erasure,
                    channel: "digital_post",
                    days_ago: 15,
                    description: "Jeg er flyttet og ønsker mine oplysninger slettet.",
                    access: None,
                    items: &[],
                },
            )
            .await?;
        self.demo_decide(
            caseworker,
            erasure,
            DecisionInput {
                outcome: "granted".into(),
                ground: "no_longer_needed".into(),
                reasons: "Borgeren har ingen igangværende sager, og oplysningerne er ikke længere nødvendige.".into(),
                ..DecisionInput::default()
            },
        )
        .await?;
        Ok(Some(erased))
    }
}
