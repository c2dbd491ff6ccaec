//! CA event name -> TikTok event name, per event source (spec b.1 quick
//! reference, "Derived lookup tables"). Exact TikTok casing matters:
//! `InAppADClick`, `InAppAdImpr`, `LaunchAPP`.
//!
//! The web column serves `web`, `offline` and `crm`; the app column serves `app`.
//! `gated` rows map only when selected in `view_content_mapping`.

/// One row of the standard table.
pub struct EventRow {
    pub ca: &'static str,
    pub web: Option<&'static str>,
    pub app: Option<&'static str>,
    pub gated: bool,
}

const fn both(ca: &'static str, tt: &'static str) -> EventRow {
    EventRow { ca, web: Some(tt), app: Some(tt), gated: false }
}
const fn web(ca: &'static str, tt: &'static str) -> EventRow {
    EventRow { ca, web: Some(tt), app: None, gated: false }
}
const fn app(ca: &'static str, tt: &'static str) -> EventRow {
    EventRow { ca, web: None, app: Some(tt), gated: false }
}
const fn split(ca: &'static str, w: &'static str, a: &'static str) -> EventRow {
    EventRow { ca, web: Some(w), app: Some(a), gated: false }
}
const fn gated(ca: &'static str) -> EventRow {
    EventRow { ca, web: Some("ViewContent"), app: Some("ViewContent"), gated: true }
}

/// The seed revision (CA doc 65007540, Nov-Dec 2025): the default.
pub const SEED: &[EventRow] = &[
    app("achieve_level", "AchieveLevel"),
    both("add_payment_info", "AddPaymentInfo"),
    both("add_to_cart", "AddToCart"),
    both("add_to_wishlist", "AddToWishlist"),
    web("application_approval", "ApplicationApproval"),
    web("begin_checkout", "InitiateCheckout"),
    both("click_button", "ViewContent"),
    both("view_content", "ViewContent"),
    gated("page_view"),
    gated("view_item"),
    app("complete_tutorial", "CompleteTutorial"),
    app("create_group", "CreateGroup"),
    app("create_role", "CreateRole"),
    web("customize_product", "CustomizeProduct"),
    split("purchase", "CompletePayment", "Checkout"),
    split("complete_payment", "CompletePayment", "Purchase"),
    web("contact", "Contact"),
    web("download", "Download"),
    web("find_location", "FindLocation"),
    web("submit_form", "Lead"),
    split("generate_lead", "Lead", "GenerateLead"),
    app("in_app_ad_click", "InAppADClick"),
    app("in_app_ad_impr", "InAppAdImpr"),
    app("install_app", "InstallApp"),
    app("join_group", "JoinGroup"),
    app("launch_app", "LaunchAPP"),
    app("loan_application", "LoanApplication"),
    app("loan_approval", "LoanApproval"),
    app("loan_disbursal", "LoanDisbursal"),
    app("login", "Login"),
    app("rate", "Rate"),
    web("schedule", "Schedule"),
    both("search", "Search"),
    split("sign_up", "CompleteRegistration", "Registration"),
    app("spend_credits", "SpendCredits"),
    both("start_trial", "StartTrial"),
    web("submit_application", "SubmitApplication"),
    both("subscribe", "Subscribe"),
    app("unlock_achievement", "UnlockAchievement"),
];

/// CA revision 6d54c18a (2026-06): rows that differ from the seed, looked up first.
pub const REV_2026_CHANGES: &[EventRow] = &[both("purchase", "Purchase"), both("complete_payment", "Purchase")];

/// Which standard table a destination uses (setting `event_names`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventNames {
    Seed,
    Rev2026,
}

impl EventNames {
    pub const KEYS: &'static [&'static str] = &["seed", "2026"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "seed" => Some(EventNames::Seed),
            "2026" => Some(EventNames::Rev2026),
            _ => None,
        }
    }

    /// The standard row for a CA event name, if any.
    pub fn row(self, ca: &str) -> Option<&'static EventRow> {
        let changes = match self {
            EventNames::Seed => &[][..],
            EventNames::Rev2026 => REV_2026_CHANGES,
        };
        changes.iter().chain(SEED).find(|r| r.ca == ca)
    }
}
