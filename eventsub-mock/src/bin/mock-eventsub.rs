//! Runs the mock EventSub server standalone on 127.0.0.1 and takes commands on stdin.
//!
//! `cargo run -p eventsub-mock --bin mock-eventsub [-- --fast]`, then type `help`.

use eventsub_mock::helix::fixtures::{APP_TOKEN, CLIENT_ID, USER_ID, USER_TOKEN};
use eventsub_mock::{Delivery, MockConfig, MockEventSub, ShardFault, SocketId};
use tokio::io::{AsyncBufReadExt, BufReader};

const HELP: &str = "commands:
  notify TYPE [twice|every]   send a notification for every subscription of TYPE
  blast TYPE COUNT            COUNT notifications of TYPE back to back (a load test)
  flood TYPE                  notifications of TYPE without end on the current socket, which
                              reads nothing more (a close frame from the client goes unanswered)
  revoke TYPE [STATUS]        revoke subscriptions of TYPE (default authorization_revoked)
  reconnect | stale-reconnect session_reconnect on the current socket (stale: its URL gets 4007)
  close CODE [REASON]         close the current socket with CODE
  drop | silence | resume     drop the TCP connection / stop / resume keepalives
  sockets | subs | records    show open sockets, subscriptions, the frame log
  conduits                    show conduits and their shards' statuses
  shard CONDUIT ID FAULT      fault one shard: close CODE | drop | silence | refuse | restore
  unrouted                    conduit notifications no shard took
  quit";

/// A shard fault from the words after `shard CONDUIT ID`.
fn shard_fault(words: &[&str]) -> Option<ShardFault> {
    match words {
        ["close", code] => code.parse().ok().map(ShardFault::Close),
        ["drop"] => Some(ShardFault::Drop),
        ["silence"] => Some(ShardFault::Silence),
        ["refuse"] => Some(ShardFault::RefuseDelivery),
        ["restore"] => Some(ShardFault::Restore),
        _ => None,
    }
}

fn run(mock: &MockEventSub, line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let current = mock.current_socket();
    let on_current = |act: &dyn Fn(SocketId) -> bool| match current {
        Some(socket) => println!("{}", if act(socket) { "ok" } else { "socket gone" }),
        None => println!("no session is up"),
    };
    match words.as_slice() {
        ["notify", kind, rest @ ..] => {
            let delivery = match rest.first() {
                Some(&"twice") => Delivery::Twice,
                Some(&"every") => Delivery::EverySocket,
                _ => Delivery::Once,
            };
            println!("sent {:?}", mock.notify(kind, delivery));
        }
        ["blast", kind, count] => match count.parse::<u64>() {
            Ok(count) => match mock.blast(kind, count) {
                Some(blast) => println!("blasting {count} on {}", blast.socket),
                None => println!("no live subscription of {kind}"),
            },
            Err(_) => println!("COUNT must be a number"),
        },
        ["flood", kind] => on_current(&|socket| mock.flood_notifications(socket, kind).is_some()),
        ["revoke", kind, rest @ ..] => {
            let status = rest.first().copied().unwrap_or("authorization_revoked");
            println!("sent {:?}", mock.revoke(kind, status));
        }
        ["reconnect"] => on_current(&|socket| mock.reconnect(socket).is_some()),
        ["stale-reconnect"] => on_current(&|socket| mock.reconnect_stale(socket).is_some()),
        ["close", code, reason @ ..] => match code.parse::<u16>() {
            Ok(code) => on_current(&|socket| mock.close(socket, code, &reason.join(" "))),
            Err(_) => println!("CODE must be a number"),
        },
        ["drop"] => on_current(&|socket| mock.drop_socket(socket)),
        ["silence"] => on_current(&|socket| mock.silence(socket, true)),
        ["resume"] => on_current(&|socket| mock.silence(socket, false)),
        ["sockets"] => println!("{:#?}", mock.sockets()),
        ["subs"] => {
            for sub in &mock.helix().subscriptions {
                println!(
                    "{} {} v{} {} {:?}",
                    sub.id,
                    sub.kind,
                    sub.version,
                    sub.status,
                    sub.transport.session_id()
                );
            }
        }
        ["records"] => {
            for (_, record) in &mock.records().entries {
                println!("{record:?}");
            }
        }
        ["conduits"] => {
            for conduit in &mock.helix().conduits {
                let statuses: Vec<&str> =
                    conduit.shards.iter().map(|s| s.status.as_str()).collect();
                println!("{} ({}): {statuses:?}", conduit.id, conduit.client_id);
            }
        }
        ["shard", conduit, id, fault @ ..] => match (id.parse::<usize>(), shard_fault(fault)) {
            (Ok(id), Some(fault)) => {
                let acted = mock.fault_shard(conduit, id, fault);
                println!(
                    "{}",
                    if acted {
                        "ok"
                    } else {
                        "no live session on that shard"
                    }
                );
            }
            _ => println!("{HELP}"),
        },
        ["unrouted"] => println!("{:?}", mock.unrouted()),
        ["quit"] | ["exit"] => return false,
        [] => {}
        _ => println!("{HELP}"),
    }
    true
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let fast = std::env::args().any(|arg| arg == "--fast");
    let config = if fast {
        MockConfig::fast()
    } else {
        MockConfig::default()
    };
    let mock = MockEventSub::start(config).await?;
    mock.helix()
        .add_user_token(USER_TOKEN, CLIENT_ID, USER_ID, &[]);
    mock.helix().add_app_token(APP_TOKEN, CLIENT_ID);
    println!("mock EventSub WebSocket: {}", mock.ws_url());
    println!("mock Helix base URL:     {}", mock.helix_url());
    // With twitch_oauth2's `mock_api` feature, `TWITCH_OAUTH2_URL` set to this sends its calls here.
    println!("mock OAuth root:         {}", mock.twitch_oauth2_url());
    println!(
        "client id {CLIENT_ID:?}, user token {USER_TOKEN:?} of user {USER_ID}, app token {APP_TOKEN:?}"
    );
    println!("{HELP}");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if !run(&mock, &line) {
            break;
        }
    }
    Ok(())
}
