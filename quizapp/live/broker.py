"""How a live session's events reach every open event stream, in any worker or host.

A change is published as a small notice ("the state is now #12", "7 have answered"); each
stream reads what it shows from the database, which holds the truth. With Redis configured,
notices travel by Redis pub/sub: one connection and one listening thread per process fan
them out to that process's streams. Without Redis (one process, `make run`), they are handed
over in memory. No Flask here.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import defaultdict

import redis

PREFIX = "quizapp:live:"
log = logging.getLogger(__name__)


class Hub:
    def __init__(self, redis_url: str | None = None) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, set[queue.SimpleQueue]] = defaultdict(set)
        self._redis = redis.Redis.from_url(redis_url) if redis_url else None
        self._listener: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def shared(self) -> bool:
        """True when notices cross processes (Redis), False when they stay in this one."""
        return self._redis is not None

    def publish(self, channel: str, notice: dict) -> None:
        if self._redis is None:
            self._deliver(channel, notice)
        else:
            self._redis.publish(PREFIX + channel, json.dumps(notice))

    def subscribe(self, channel: str, inbox: queue.SimpleQueue | None = None
                  ) -> queue.SimpleQueue:
        """A queue (new, or the one given) that receives every notice published on `channel`
        from now on."""
        inbox = inbox if inbox is not None else queue.SimpleQueue()
        with self._lock:
            self._queues[channel].add(inbox)
        if self._redis is not None:
            self._start_listening()
        return inbox

    def unsubscribe(self, channel: str, inbox: queue.SimpleQueue) -> None:
        with self._lock:
            self._queues[channel].discard(inbox)
            if not self._queues[channel]:
                del self._queues[channel]

    def _deliver(self, channel: str, notice: dict) -> None:
        with self._lock:
            inboxes = list(self._queues.get(channel, ()))
        for inbox in inboxes:
            inbox.put(notice)

    def _start_listening(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            # Started in the process that serves the stream (after gunicorn forks a worker).
            self._listener = threading.Thread(target=self._listen, name="live-hub", daemon=True)
            self._listener.start()
        self._ready.wait(5)

    def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        channel = message["channel"].decode()[len(PREFIX):]
                        self._deliver(channel, json.loads(message["data"]))
            except redis.RedisError:
                # Streams keep their clients and re-read the database on their next beat; a
                # notice lost while Redis is away only delays a screen by that beat.
                log.warning("live events: Redis connection lost; retrying", exc_info=True)
                time.sleep(1)
