"""The store in AWS: three DynamoDB tables (declared in template.yaml), on-demand, same behaviour as SQLite.

- stories (`pk`, `sk`): per story one `sk="story"` item (the story as compressed JSON), one
  `sk="tag#<CODE>"` item per country plus `tag#*` (every story), and under `pk="dedup#<key>"` the
  item that maps a dedup key to its story id. The `by_country` index (`country`, `sort_time`) holds
  only the tag items, so `latest` is one Query, newest first.
- posts (`channel`, `story_id`): the conditional put that makes posting exactly-once; expires (TTL).
- subscriptions (`channel`, `sk`): `sub#<CODE>` items (the sparse `by_code` index answers
  `channels_for`) and one `digest` item per channel.

Items are written in one transaction per story, conditioned on the dedup item, so two workers
storing the same article race safely.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from headlines.aws.clients import DynamoDBCaller, error_code
from headlines.models import ALL_COUNTRIES, DigestSchedule, Story
from headlines.store.base import PostRecord, Store, StoreError

STORY = "story"
TAG = "tag#"
DEDUP = "dedup#"
SUB = "sub#"
DIGEST = "digest"
COUNTRY_INDEX = "by_country"
CODE_INDEX = "by_code"
PUT_ATTEMPTS = 12
MAX_ITEM_BYTES = 380 * 1024
"""DynamoDB's item limit is 400 KB; keep room for the keys and attributes."""


def _plain_code(token: str) -> bool:
    """A country code in `about` mode or "*": what `subscriptions()` has always returned."""
    return token == ALL_COUNTRIES or (len(token) == 2 and token.isalpha())


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


class DynamoDBStore(DynamoDBCaller, Store):
    """`Store` over DynamoDB. Table names come from settings (`HEADLINES_*_TABLE`), the client is optional.

    Example: `DynamoDBStore("headlines-stories", "headlines-posts", "headlines-subscriptions")`.
    """

    error = StoreError

    def __init__(
        self,
        stories_table: str,
        posts_table: str,
        subscriptions_table: str,
        *,
        dynamodb: Any | None = None,
        post_ttl: timedelta = timedelta(days=30),
        story_ttl: timedelta | None = None,
    ) -> None:
        self.stories_table = stories_table
        self.posts_table = posts_table
        self.subscriptions_table = subscriptions_table
        self._ddb = dynamodb
        self.post_ttl = post_ttl
        self.story_ttl = story_ttl

    def missing_table(self, request: dict[str, Any]) -> str:
        return f"table {request.get('TableName')!r} does not exist; deploy template.yaml or set HEADLINES_*_TABLE"

    # -- stories ------------------------------------------------------------------------------------

    @staticmethod
    def _encode(story: Story) -> bytes:
        data = zlib.compress(story.model_dump_json().encode("utf-8"), 6)
        if len(data) > MAX_ITEM_BYTES:
            raise StoreError(
                f"story {story.id} is {len(data)} bytes compressed, over DynamoDB's item limit; "
                "shorten the article body (HEADLINES_MAX_BODY_CHARS bounds what is summarized)"
            )
        return data

    @staticmethod
    def _decode(item: dict[str, Any]) -> Story:
        return Story.model_validate_json(zlib.decompress(item["data"]["B"]))

    def _get_item(self, table: str, key: dict[str, Any], what: str) -> dict[str, Any] | None:
        return self._call(what, "get_item", TableName=table, Key=key, ConsistentRead=True).get("Item")

    def get(self, story_id: str) -> Story | None:
        item = self._get_item(self.stories_table, {"pk": {"S": story_id}, "sk": {"S": STORY}}, f"read story {story_id}")
        return self._decode(item) if item else None

    def _story_for_key(self, dedup_key: str) -> str | None:
        item = self._get_item(self.stories_table, {"pk": {"S": DEDUP + dedup_key}, "sk": {"S": DEDUP}}, "look up a dedup key")
        return item["story_id"]["S"] if item else None

    def find(self, dedup_key: str) -> Story | None:
        story_id = self._story_for_key(dedup_key)
        return self.get(story_id) if story_id else None

    def put(self, story: Story) -> Story:
        """Upsert in one transaction conditioned on what was read (the dedup item and the story item's `ver`),
        so concurrent writers of one id or one article end consistent: the loser reads again and retries."""
        import random
        import time

        for attempt in range(PUT_ATTEMPTS):
            try:
                return self._put_once(story)
            except _Conflict:
                time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
        raise StoreError(f"cannot store story {story.id}: it kept changing under concurrent writers; retry")

    def _put_once(self, story: Story) -> Story:
        key = story.article.dedup_key
        owner = self._story_for_key(key)
        current = self._get_item(
            self.stories_table, {"pk": {"S": owner or story.id}, "sk": {"S": STORY}}, f"read story {owner or story.id}"
        )
        previous = self._decode(current) if current else None
        version = int(current.get("ver", {}).get("N", "0")) if current else 0
        if previous is not None:
            story = story.model_copy(update={"id": previous.id, "created_at": previous.created_at})
        sort_time = _iso(story.sort_time)
        table = self.stories_table
        writes: list[dict[str, Any]] = []
        expires = self._story_expiry(story)
        if previous is not None:
            new_codes = {c.code for c in story.countries} | {ALL_COUNTRIES}
            for code in {c.code for c in previous.countries} - new_codes:
                writes.append({"Delete": {"TableName": table, "Key": {"pk": {"S": story.id}, "sk": {"S": TAG + code}}}})
            old_key = previous.article.dedup_key
            if old_key != key:  # the id's old article is replaced: its dedup item goes in the same transaction
                writes.append(
                    {
                        "Delete": {
                            "TableName": table,
                            "Key": {"pk": {"S": DEDUP + old_key}, "sk": {"S": DEDUP}},
                            "ConditionExpression": "attribute_not_exists(pk) OR story_id = :id",
                            "ExpressionAttributeValues": {":id": {"S": story.id}},
                        }
                    }
                )
        story_item = {
            "pk": {"S": story.id},
            "sk": {"S": STORY},
            "dedup_key": {"S": key},
            "content_hash": {"S": story.content_hash},
            "sort_time": {"S": sort_time},
            "data": {"B": self._encode(story)},
            "ver": {"N": str(version + 1)},
            **expires,
        }
        if current is None:
            story_cond: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        elif version == 0:
            story_cond = {"ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(ver)"}
        else:
            story_cond = {"ConditionExpression": "ver = :v", "ExpressionAttributeValues": {":v": {"N": str(version)}}}
        writes.append({"Put": {"TableName": table, "Item": story_item, **story_cond}})
        dedup_item = {"pk": {"S": DEDUP + key}, "sk": {"S": DEDUP}, "story_id": {"S": story.id}, **expires}
        if owner is None:
            cond: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            cond = {"ConditionExpression": "story_id = :id", "ExpressionAttributeValues": {":id": {"S": owner}}}
        writes.append({"Put": {"TableName": table, "Item": dedup_item, **cond}})
        for code in sorted({c.code for c in story.countries} | {ALL_COUNTRIES}):
            tag = {
                "pk": {"S": story.id},
                "sk": {"S": TAG + code},
                "country": {"S": code},
                "sort_time": {"S": sort_time},
                "story_id": {"S": story.id},
                **expires,
            }
            writes.append({"Put": {"TableName": table, "Item": tag}})
        try:
            self.ddb.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":
                raise _Conflict from exc
            raise StoreError(f"cannot store story {story.id}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"cannot store story {story.id}: {exc}") from exc
        return story

    def _story_expiry(self, story: Story) -> dict[str, Any]:
        if self.story_ttl is None:
            return {}
        return {"expires_at": {"N": str(int((story.created_at + self.story_ttl).timestamp()))}}

    def latest(self, *, country: str | None = None, limit: int = 10, since: datetime | None = None) -> list[Story]:
        code = country.upper() if country else ALL_COUNTRIES
        cond = "country = :c"
        values: dict[str, Any] = {":c": {"S": code}}
        if since is not None:
            cond += " AND sort_time >= :t"
            values[":t"] = {"S": _iso(since)}
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "TableName": self.stories_table,
            "IndexName": COUNTRY_INDEX,
            "KeyConditionExpression": cond,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        while len(ids) < limit:
            page = self._call("list the latest stories", "query", **kwargs)
            ids += [item["story_id"]["S"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return self._get_many(ids[:limit])

    def _get_many(self, ids: list[str]) -> list[Story]:
        found: dict[str, Story] = {}
        for start in range(0, len(ids), 100):
            keys = [{"pk": {"S": i}, "sk": {"S": STORY}} for i in dict.fromkeys(ids[start : start + 100])]
            request: dict[str, Any] = {self.stories_table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                page = self._call("read stories", "batch_get_item", RequestItems=request)
                for item in page.get("Responses", {}).get(self.stories_table, []):
                    story = self._decode(item)
                    found[story.id] = story
                request = page.get("UnprocessedKeys") or {}
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        """Number of stories (a filtered Scan: fine for a newsroom's volume, not for millions)."""
        total = 0
        kwargs: dict[str, Any] = {
            "TableName": self.stories_table,
            "Select": "COUNT",
            "FilterExpression": "sk = :s",
            "ExpressionAttributeValues": {":s": {"S": STORY}},
        }
        while True:
            page = self._call("count stories", "scan", **kwargs)
            total += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return total
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- posts --------------------------------------------------------------------------------------

    def record_post(self, channel: str, story_id: str) -> bool:
        now = datetime.now(UTC)
        item = {
            "channel": {"S": channel},
            "story_id": {"S": story_id},
            "posted_at": {"S": _iso(now)},
            "expires_at": {"N": str(int((now + self.post_ttl).timestamp()))},
        }
        return self._conditional(
            "put_item",
            f"record the post of {story_id} to {channel}",
            TableName=self.posts_table,
            Item=item,
            ConditionExpression="attribute_not_exists(story_id)",
        )

    def forget_post(self, channel: str, story_id: str) -> None:
        self._call(
            f"forget the post of {story_id} to {channel}",
            "delete_item",
            TableName=self.posts_table,
            Key={"channel": {"S": channel}, "story_id": {"S": story_id}},
        )

    def get_post_record(self, channel: str, key: str) -> PostRecord | None:
        item = self._get_item(
            self.posts_table, {"channel": {"S": channel}, "story_id": {"S": key}}, f"read the post of {key} to {channel}"
        )
        if item is None:
            return None
        rev = int(item.get("rev", {}).get("N", "0"))
        if "data" not in item:  # a record_post item: posted, message unknown
            posted = datetime.fromisoformat(item["posted_at"]["S"]) if "posted_at" in item else None
            return PostRecord(channel=channel, key=key, rev=rev, state="sent", posted_at=posted)
        return PostRecord.from_ledger(channel, key, rev, item["data"]["S"])

    def put_post_record(self, record: PostRecord, *, expected_rev: int | None) -> bool:
        now = datetime.now(UTC)
        item = {
            "channel": {"S": record.channel},
            "story_id": {"S": record.key},
            "posted_at": {"S": _iso(record.posted_at or now)},
            "rev": {"N": str(record.rev)},
            "data": {"S": record.ledger_json()},
            "expires_at": {"N": str(int((now + self.post_ttl).timestamp()))},
        }
        if expected_rev is None:
            cond: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(story_id)"}
        elif expected_rev == 0:
            cond = {"ConditionExpression": "attribute_exists(story_id) AND attribute_not_exists(rev)"}
        else:
            cond = {"ConditionExpression": "rev = :r", "ExpressionAttributeValues": {":r": {"N": str(expected_rev)}}}
        return self._conditional(
            "put_item", f"write the post of {record.key} to {record.channel}", TableName=self.posts_table, Item=item, **cond
        )

    def delete_post_record(self, channel: str, key: str, *, expected_rev: int) -> bool:
        if expected_rev == 0:
            cond: dict[str, Any] = {"ConditionExpression": "attribute_exists(story_id) AND attribute_not_exists(rev)"}
        else:
            cond = {"ConditionExpression": "rev = :r", "ExpressionAttributeValues": {":r": {"N": str(expected_rev)}}}
        return self._conditional(
            "delete_item",
            f"remove the post of {key} to {channel}",
            TableName=self.posts_table,
            Key={"channel": {"S": channel}, "story_id": {"S": key}},
            **cond,
        )

    def _conditional(self, method: str, what: str, **kwargs: Any) -> bool:
        """A conditional write: False when the condition failed (another writer won), StoreError otherwise.
        Throttling is retried by botocore's standard mode first (HEADLINES' clients: 3 attempts)."""
        try:
            getattr(self.ddb, method)(**kwargs)
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise StoreError(f"cannot {what}: {exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"cannot {what}: {exc}") from exc
        return True

    # -- subscriptions and digests --------------------------------------------------------------------

    def subscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        for code in {c.upper() for c in codes}:
            item = {"channel": {"S": channel}, "sk": {"S": SUB + code}, "code": {"S": code}}
            self._call(f"subscribe {channel}", "put_item", TableName=self.subscriptions_table, Item=item)
        return self.subscriptions(channel)

    def unsubscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        wanted = {c.upper() for c in codes}
        drop = self.tokens(channel) if ALL_COUNTRIES in wanted else wanted
        for code in drop:
            key = {"channel": {"S": channel}, "sk": {"S": SUB + code}}
            self._call(f"unsubscribe {channel}", "delete_item", TableName=self.subscriptions_table, Key=key)
        return self.subscriptions(channel)

    def subscriptions(self, channel: str) -> set[str]:
        items = self._query_all(
            f"read the subscriptions of {channel}",
            TableName=self.subscriptions_table,
            KeyConditionExpression="channel = :c AND begins_with(sk, :p)",
            ExpressionAttributeValues={":c": {"S": channel}, ":p": {"S": SUB}},
            ConsistentRead=True,
        )
        return {item["code"]["S"] for item in items if _plain_code(item["code"]["S"])}

    def add_tokens(self, channel: str, tokens: Iterable[str]) -> None:
        for token in dict.fromkeys(tokens):
            item = {"channel": {"S": channel}, "sk": {"S": SUB + token}, "code": {"S": token}}
            self._call(f"subscribe {channel}", "put_item", TableName=self.subscriptions_table, Item=item)

    def remove_tokens(self, channel: str, tokens: Iterable[str]) -> None:
        for token in dict.fromkeys(tokens):
            key = {"channel": {"S": channel}, "sk": {"S": SUB + token}}
            self._call(f"unsubscribe {channel}", "delete_item", TableName=self.subscriptions_table, Key=key)

    def tokens(self, channel: str) -> set[str]:
        items = self._query_all(
            f"read the subscriptions of {channel}",
            TableName=self.subscriptions_table,
            KeyConditionExpression="channel = :c AND begins_with(sk, :p)",
            ExpressionAttributeValues={":c": {"S": channel}, ":p": {"S": SUB}},
            ConsistentRead=True,
        )
        return {item["code"]["S"] for item in items}

    def channels_for_tokens(self, tokens: Iterable[str]) -> set[str]:
        channels: set[str] = set()
        for token in dict.fromkeys(tokens):
            items = self._query_all(
                "find subscribed channels",
                TableName=self.subscriptions_table,
                IndexName=CODE_INDEX,
                KeyConditionExpression="code = :c",
                ExpressionAttributeValues={":c": {"S": token}},
            )
            channels |= {item["channel"]["S"] for item in items}
        return channels

    def keyword_tokens(self) -> dict[str, set[str]]:
        """A filtered Scan of the subscriptions table (small: channels x subscriptions); callers cache it briefly."""
        items = self._scan_all(
            "list keyword subscriptions",
            TableName=self.subscriptions_table,
            FilterExpression="begins_with(sk, :k)",
            ExpressionAttributeValues={":k": {"S": SUB + "kw:"}},
        )
        out: dict[str, set[str]] = {}
        for item in items:
            out.setdefault(item["channel"]["S"], set()).add(item["code"]["S"])
        return out

    def channels_for(self, codes: Iterable[str]) -> set[str]:
        return self.channels_for_tokens({c.upper() for c in codes} | {ALL_COUNTRIES})

    def set_digest(self, schedule: DigestSchedule) -> None:
        item = {"channel": {"S": schedule.channel}, "sk": {"S": DIGEST}, "data": {"S": schedule.model_dump_json()}}
        self._call(f"save the digest of {schedule.channel}", "put_item", TableName=self.subscriptions_table, Item=item)

    def get_digest(self, channel: str) -> DigestSchedule | None:
        item = self._get_item(
            self.subscriptions_table, {"channel": {"S": channel}, "sk": {"S": DIGEST}}, f"read the digest of {channel}"
        )
        return DigestSchedule.model_validate_json(item["data"]["S"]) if item else None

    def delete_digest(self, channel: str) -> None:
        key = {"channel": {"S": channel}, "sk": {"S": DIGEST}}
        self._call(f"delete the digest of {channel}", "delete_item", TableName=self.subscriptions_table, Key=key)

    def digest_schedules(self) -> list[DigestSchedule]:
        """Every channel's schedule (a filtered Scan; the digest sender runs every few minutes)."""
        items = self._scan_all(
            "list digest schedules",
            TableName=self.subscriptions_table,
            FilterExpression="sk = :d",
            ExpressionAttributeValues={":d": {"S": DIGEST}},
        )
        schedules = [DigestSchedule.model_validate_json(item["data"]["S"]) for item in items]
        return sorted(schedules, key=lambda s: s.channel)

    def _query_all(self, what: str, **kwargs: Any) -> list[dict[str, Any]]:
        return self._paged(what, "query", kwargs)

    def _scan_all(self, what: str, **kwargs: Any) -> list[dict[str, Any]]:
        return self._paged(what, "scan", kwargs)

    def __repr__(self) -> str:
        return f"DynamoDBStore({self.stories_table!r}, {self.posts_table!r}, {self.subscriptions_table!r})"


class _Conflict(Exception):
    """Another writer changed the dedup item between our read and our transaction."""
