//! Orders: what one would disclose, placing it, each side's view, closing it (the
//! supplier loses the citizen's data and confirms deletion), stepping in on another
//! unit's order, and the lists. Every call is one call into the gate.

use uuid::Uuid;

use skjold_core::error::{DateInput, Input};
use skjold_core::orders::{
    CaseworkerOrderView, NewOrder, OrderChoices, OrderContent, OrderFilter, OrderListRow,
    OrderPreview, OrderStatus, SupplierOrderView,
};
use skjold_core::oversight::StandInGrant;
use skjold_core::paging::Page;
use skjold_core::text::Justification;
use skjold_core::threads::ThreadView;
use skjold_core::{Action, Actor, Cpr};

use crate::catalogue::parse_date;
use crate::{App, AppError, require};

/// An order's content as typed: the task, the period (`YYYY-MM-DD`), the scope and an
/// optional remark to the supplier.
#[derive(Debug, Clone, Default)]
pub struct OrderContentInput {
    pub task: String,
    pub period_from: String,
    pub period_to: String,
    pub scope: String,
    pub remark: String,
}

impl OrderContentInput {
    /// The content checked: bounded texts, dates that parse, a period in order.
    pub fn parse(&self) -> Result<OrderContent, AppError> {
        let from = parse_date(self.period_from.trim(), DateInput::From)?;
        let to = parse_date(self.period_to.trim(), DateInput::Until)?;
        Ok(OrderContent::parse(
            &self.task,
            from,
            to,
            &self.scope,
            &self.remark,
        )?)
    }
}

impl App {
    pub async fn preview_order(
        &self,
        actor: &Actor,
        order: NewOrder,
    ) -> Result<OrderPreview, AppError> {
        Ok(self
            .store()
            .gate()
            .order_preview(actor, order, self.now())
            .await?)
    }

    /// Places an order with its content. The guard screens the content's texts first (as
    /// it screens a caseworker's message): a CPR number, special-category or criminal terms,
    /// or a value of the citizen's the order would not disclose, are refused with what was
    /// found, and nothing is placed. With an idempotency key, a repeat of the same request
    /// answers with the order the first one placed.
    pub async fn place_order(
        &self,
        actor: &Actor,
        order: NewOrder,
        content: &OrderContentInput,
        idempotency_key: Option<&str>,
    ) -> Result<Uuid, AppError> {
        require(actor, Action::PlaceOrder)?;
        let content = content.parse()?;
        let findings = content
            .texts()
            .into_iter()
            .map(|(input, text)| Ok((input, self.guard_findings(text)?)))
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(self
            .store()
            .gate()
            .place_order(
                actor,
                skjold_store::gate::Placement {
                    order,
                    content: &content,
                    findings: &findings,
                    idempotency_key,
                },
                self.now(),
            )
            .await?)
    }

    pub async fn close_order(&self, actor: &Actor, order_id: Uuid) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .close_order(actor, order_id, self.now())
            .await?)
    }

    /// A caseworker steps in on another unit's order, with a written reason (SA-3).
    pub async fn open_stand_in(
        &self,
        actor: &Actor,
        order_id: Uuid,
        reason: &str,
    ) -> Result<StandInGrant, AppError> {
        require(actor, Action::OpenStandIn)?;
        let reason = Justification::parse(Input::Reason, reason)?;
        Ok(self
            .store()
            .gate()
            .open_stand_in(actor, order_id, &reason, self.now())
            .await?)
    }

    /// The supplier confirms that it has deleted its copies of a closed order's data.
    pub async fn confirm_deletion(&self, actor: &Actor, order_id: Uuid) -> Result<(), AppError> {
        Ok(self
            .store()
            .gate()
            .confirm_deletion(actor, order_id, self.now())
            .await?)
    }

    pub async fn caseworker_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
    ) -> Result<CaseworkerOrderView, AppError> {
        Ok(self
            .store()
            .gate()
            .caseworker_order(actor, order_id, self.now())
            .await?)
    }

    /// A page of the actor's orders (the caseworker's unit's, or the supplier's own),
    /// filtered, with the citizen as the actor may see them (each citizen shown is logged)
    /// and what waits for the actor.
    pub async fn orders(
        &self,
        actor: &Actor,
        filter: &OrderFilter,
    ) -> Result<Page<OrderListRow>, AppError> {
        Ok(self
            .store()
            .gate()
            .order_list(actor, filter, self.now())
            .await?)
    }

    /// What the order lists' filters offer the actor: the service types and suppliers of
    /// the orders they may list.
    pub async fn order_choices(&self, actor: &Actor) -> Result<OrderChoices, AppError> {
        Ok(self.store().gate().order_choices(actor, self.now()).await?)
    }

    /// The citizen a CPR number names, to filter a list by: found through the logged
    /// look-up (for a caseworker, the search that opens the citizen's record to them for
    /// the day; for the privacy officer and the auditor, a search of the logs). An unknown
    /// number gives the nil id, which matches nothing.
    pub async fn filter_subject(&self, actor: &Actor, cpr: &str) -> Result<Uuid, AppError> {
        if !actor.may(Action::SearchCitizen) {
            require(actor, Action::ReadLogs)?;
        }
        let cpr = Cpr::parse(cpr)?;
        Ok(self
            .store()
            .gate()
            .find_subject(actor, &cpr, self.now())
            .await?
            .unwrap_or_else(Uuid::nil))
    }

    pub async fn supplier_order(
        &self,
        actor: &Actor,
        order_id: Uuid,
    ) -> Result<SupplierOrderView, AppError> {
        Ok(self
            .store()
            .gate()
            .supplier_order(actor, order_id, self.now())
            .await?)
    }

    /// The caseworker's page of an order: the order and its thread.
    pub async fn order_case(&self, actor: &Actor, order_id: Uuid) -> Result<OrderCase, AppError> {
        let order = self.caseworker_order(actor, order_id).await?;
        let thread = self.thread(actor, order_id).await?;
        Ok(OrderCase { order, thread })
    }

    /// The supplier's page of an order: what was disclosed, and the thread while the
    /// order is open.
    pub async fn supplier_case(
        &self,
        actor: &Actor,
        order_id: Uuid,
    ) -> Result<SupplierCase, AppError> {
        let order = self.supplier_order(actor, order_id).await?;
        let thread = match order.order.status {
            OrderStatus::Open => Some(self.thread(actor, order_id).await?),
            OrderStatus::Closed => None,
        };
        Ok(SupplierCase { order, thread })
    }
}

/// An order as the caseworker works it.
#[derive(Debug, Clone)]
pub struct OrderCase {
    pub order: CaseworkerOrderView,
    pub thread: ThreadView,
}

/// An order as the supplier sees it.
#[derive(Debug, Clone)]
pub struct SupplierCase {
    pub order: SupplierOrderView,
    /// The thread, while the order is open.
    pub thread: Option<ThreadView>,
}
