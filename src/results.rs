//! The result list of a whole input (CLI, npm, `/v1/preview`): one report per event
//! and destination, in order.

use crate::config::Config;
use crate::context::RequestContext;
use crate::delivery::report::{DestinationResult, Outcome, Tokens};
use crate::intake;
use crate::mapping::plan;
use crate::node::Node;
use crate::secrets::Secrets;

/// Plans an input holding one event, an array of events or Commanders Act's
/// `{"batch": [...]}`: the shared `results` list (entries of a list carry their event's
/// `index`). An envelope whose `batch` is not an array plans as one (invalid) event.
/// With `Tokens::Redacted` (a preview) a request whose token is not set is shown with
/// `<missing: NAME>`; with `Tokens::Revealed` (for sending) it is a `missing_secret` error.
pub fn results_for<'a>(
    config: &'a Config,
    input: &'a Node<'a>,
    ctx: &RequestContext,
    secrets: &Secrets,
    tokens: Tokens,
) -> Vec<DestinationResult<'a>> {
    let input = intake::unwrap(input).unwrap_or(input);
    let events: Vec<&Node<'a>> = match input {
        Node::Array(events) => events.iter().collect(),
        event => vec![event],
    };
    let mut out = Vec::with_capacity(events.len() * config.destinations.len());
    for (i, event) in events.into_iter().enumerate() {
        for mut result in plan(config, event, ctx, secrets) {
            result.index = input.is_array().then_some(i);
            // Revealed tokens are for the caller that sends: no token, no request.
            if tokens == Tokens::Revealed && result.require_token() {
                if let Outcome::Ready { request, .. } = &mut result.outcome {
                    request.headers.reveal = true;
                }
            }
            out.push(result);
        }
    }
    out
}
