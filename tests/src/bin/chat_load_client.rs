//! The client process of the `chat_load` benchmark: `chat_load_client <ws url> <helix url>
//! <typed|raw>`, driven over its standard input (see `eventsub_tests::chat_load`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [ws_url, helix_url, consumer] = args.as_slice() else {
        eprintln!("usage: chat_load_client <ws url> <helix url> <typed|raw>");
        std::process::exit(2);
    };
    eventsub_tests::chat_load::client_process(ws_url, helix_url, consumer);
}
