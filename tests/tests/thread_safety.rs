//! Which types can cross threads, checked at compile time for both adapters' re-exports: a handle
//! is shared between tasks, a stream (typed or not) is moved into one, events and typed events go
//! anywhere, and the futures of the handle and the streams can be spawned on a multi-threaded
//! runtime. A regression here is a build failure of this file, not a failing assertion.

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
fn assert_send_future<F: Future + Send>(_: F) {}
fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}

/// The same checks against one adapter's re-exports.
macro_rules! thread_safety_of {
    ($module:ident, $adapter:ident, $runtime:ident) => {
        mod $module {
            use ::$adapter::kinds::ChannelFollowV2;
            use ::$adapter::proto::events::EventData;
            use ::$adapter::proto::events::channel::ChannelFollow;
            use ::$adapter::proto::{Client, Notification};
            use ::$adapter::{
                ConnectError, DecodeError, Event, EventStream, EventSubBuilder, EventSubHandle,
                HandleError, SubscriptionSpec, Typed, TypedNotification, TypedStream, $runtime,
            };

            use super::*;

            #[test]
            fn the_handle_is_send_sync_and_clone() {
                assert_send_sync_clone::<EventSubHandle>();
            }

            #[test]
            fn the_event_stream_and_the_typed_stream_are_send_and_sync() {
                assert_send_sync::<EventStream>();
                assert_send_sync::<TypedStream<ChannelFollowV2>>();
            }

            #[test]
            fn events_and_typed_events_are_send_and_sync() {
                assert_send_sync::<Event>();
                assert_send_sync::<Notification>();
                assert_send_sync::<Typed<ChannelFollowV2>>();
                assert_send_sync::<TypedNotification<ChannelFollowV2>>();
                assert_send_sync::<DecodeError>();
                assert_send_sync::<EventData<'static>>();
                assert_send_sync::<ChannelFollow<'static>>();
                assert_send_sync::<ChannelFollowV2>();
            }

            #[test]
            fn the_core_client_and_the_builder_are_send_and_sync() {
                assert_send_sync::<Client>();
                assert_send_sync::<EventSubBuilder<$runtime>>();
            }

            #[test]
            fn errors_are_send_sync_and_static() {
                assert_error::<ConnectError>();
                assert_error::<HandleError>();
                assert_error::<DecodeError>();
            }

            /// Never called: it only has to compile.
            #[allow(dead_code)]
            fn futures_of_the_handle_and_the_streams_are_send(
                handle: EventSubHandle,
                mut events: EventStream,
                mut typed: TypedStream<ChannelFollowV2>,
            ) {
                let spec = SubscriptionSpec::channel_follow_v2(
                    ::$adapter::BroadcasterId::new("1"),
                    ::$adapter::ModeratorId::new("1"),
                );
                assert_send_future(handle.subscribe(spec.clone()));
                assert_send_future(handle.unsubscribe(spec));
                assert_send_future(handle.shutdown());
                assert_send_future(handle.finished());
                assert_send_future(events.recv());
                assert_send_future(typed.recv());
                assert_send_future(typed.next_event(|_| {}));
            }
        }
    };
}

thread_safety_of!(tokio_adapter, eventsub_tokio, TokioRuntime);
thread_safety_of!(async_std_adapter, eventsub_async_std, AsyncIoRuntime);
