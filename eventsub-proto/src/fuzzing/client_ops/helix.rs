//! Helix's answers, as the adapter reports them to the client.

use super::ops::{CreateOutcome, DeleteOutcome};
use crate::ids::SubscriptionId;
use crate::io::{Created, RequestError};

/// Helix's answer to a create request; a new subscription's id is added to `created`.
pub(super) fn create_result(
    outcome: &CreateOutcome,
    created: &mut Vec<SubscriptionId>,
) -> Result<Created, RequestError> {
    match outcome {
        CreateOutcome::Created {
            cost,
            total_cost,
            max_total_cost,
        } => {
            let id = SubscriptionId::new(format!("sub-{}", created.len()));
            created.push(id.clone());
            Ok(Created {
                id,
                cost: u32::from(*cost),
                total_cost: u32::from(*total_cost),
                max_total_cost: u32::from(*max_total_cost),
            })
        }
        CreateOutcome::Conflict => Err(RequestError::AlreadyExists),
        CreateOutcome::Unauthorized { message } => Err(RequestError::Unauthorized {
            message: message.0.clone(),
        }),
        CreateOutcome::Rejected { status, message } => Err(RequestError::Rejected {
            status: *status,
            message: message.0.clone(),
        }),
        CreateOutcome::Unavailable { message } => Err(RequestError::Unavailable {
            message: message.0.clone(),
        }),
    }
}

/// Helix's answer to a delete request.
pub(super) fn delete_result(outcome: &DeleteOutcome) -> Result<(), RequestError> {
    match outcome {
        DeleteOutcome::Deleted => Ok(()),
        DeleteOutcome::NotFound => Err(RequestError::Rejected {
            status: 404,
            message: "not found".to_owned(),
        }),
        DeleteOutcome::Unauthorized { message } => Err(RequestError::Unauthorized {
            message: message.0.clone(),
        }),
        DeleteOutcome::Rejected { status } => Err(RequestError::Rejected {
            status: *status,
            message: String::new(),
        }),
        DeleteOutcome::Unavailable { message } => Err(RequestError::Unavailable {
            message: message.0.clone(),
        }),
    }
}
