"""Everything after Kafka: the Faust app, its topics and agents, and the extraction library they call."""
