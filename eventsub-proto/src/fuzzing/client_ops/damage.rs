//! Faults a frame meets on its way: cut short, a byte flipped, values swapped or of the wrong
//! type, fields missing. Places are counted depth-first over the JSON tree, modulo their number.

use serde_json::{Value, json};

use super::ops::{Damage, WrongValue};

/// The frame's text after `damage`.
pub(super) fn apply(mut message: Value, damage: &Damage) -> String {
    match damage {
        Damage::Intact => message.to_string(),
        Damage::Truncated { at } => {
            let text = message.to_string();
            let cut = usize::from(*at) % (text.len() + 1);
            String::from_utf8_lossy(text.as_bytes().get(..cut).unwrap_or_default()).into_owned()
        }
        Damage::FlippedByte { at, mask } => {
            let mut bytes = message.to_string().into_bytes();
            let len = bytes.len().max(1);
            if let Some(byte) = bytes.get_mut(usize::from(*at) % len) {
                *byte ^= mask;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Damage::SwappedLeaves { first, second } => {
            let leaves = count_leaves(&message).max(1);
            let (first, second) = (usize::from(*first) % leaves, usize::from(*second) % leaves);
            let first_value = leaf_at(&mut message, first).map(Value::take);
            let second_value = leaf_at(&mut message, second).map(Value::take);
            // Taking a leaf leaves `null`, another leaf: the positions stay where they were.
            if let (Some(first_value), Some(second_value)) = (first_value, second_value) {
                if let Some(leaf) = leaf_at(&mut message, first) {
                    *leaf = second_value;
                }
                if let Some(leaf) = leaf_at(&mut message, second) {
                    *leaf = first_value;
                }
            }
            message.to_string()
        }
        Damage::WrongType { at, value } => {
            let at = usize::from(*at) % count_nodes(&message);
            if let Some(node) = node_mut(&mut message, &mut { at }) {
                *node = wrong_value(value);
            }
            message.to_string()
        }
        Damage::Removed { at } => {
            let mut at = usize::from(*at) % count_nodes(&message);
            remove_child(&mut message, &mut at);
            message.to_string()
        }
    }
}

fn wrong_value(value: &WrongValue) -> Value {
    match value {
        WrongValue::Null => Value::Null,
        WrongValue::True => Value::Bool(true),
        WrongValue::Integer { value } => json!(value),
        WrongValue::Huge => json!(u64::MAX),
        WrongValue::Float => json!(-1.5e300),
        WrongValue::Text { text } => json!(text.as_str()),
        WrongValue::Array => json!([]),
        WrongValue::Object => json!({}),
    }
}

fn children_mut(value: &mut Value) -> Box<dyn Iterator<Item = &mut Value> + '_> {
    match value {
        Value::Object(map) => Box::new(map.values_mut()),
        Value::Array(items) => Box::new(items.iter_mut()),
        _ => Box::new(std::iter::empty()),
    }
}

fn children(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Object(map) => Box::new(map.values()),
        Value::Array(items) => Box::new(items.iter()),
        _ => Box::new(std::iter::empty()),
    }
}

fn is_leaf(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn count_nodes(value: &Value) -> usize {
    1 + children(value).map(count_nodes).sum::<usize>()
}

fn count_leaves(value: &Value) -> usize {
    if is_leaf(value) {
        1
    } else {
        children(value).map(count_leaves).sum()
    }
}

/// Node number `index` (the root is 0), counting down `index` past the nodes it passes.
fn node_mut<'v>(value: &'v mut Value, index: &mut usize) -> Option<&'v mut Value> {
    if *index == 0 {
        return Some(value);
    }
    *index -= 1;
    children_mut(value).find_map(|child| node_mut(child, index))
}

fn leaf_at(value: &mut Value, index: usize) -> Option<&mut Value> {
    leaf_mut(value, &mut { index })
}

/// Leaf number `index`, counting down `index` past the leaves it passes.
fn leaf_mut<'v>(value: &'v mut Value, index: &mut usize) -> Option<&'v mut Value> {
    if !is_leaf(value) {
        return children_mut(value).find_map(|child| leaf_mut(child, index));
    }
    if *index == 0 {
        return Some(value);
    }
    *index -= 1;
    None
}

/// Removes node number `index + 1` (the root cannot be removed) from its object or array.
fn remove_child(value: &mut Value, index: &mut usize) -> bool {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if *index == 0 {
                    map.remove(&key);
                    return true;
                }
                *index -= 1;
                if map
                    .get_mut(&key)
                    .is_some_and(|child| remove_child(child, index))
                {
                    return true;
                }
            }
            false
        }
        Value::Array(items) => {
            for position in 0..items.len() {
                if *index == 0 {
                    items.remove(position);
                    return true;
                }
                *index -= 1;
                if items
                    .get_mut(position)
                    .is_some_and(|child| remove_child(child, index))
                {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}
