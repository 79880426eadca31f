"""Everything before Kafka: fetch feeds, parse them, normalise entries into Articles, produce them."""
