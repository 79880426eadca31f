"""Wirewatch: news wires in, coded actors and rapprochement/hostility signals out, over Kafka."""

__version__ = "0.1.0"
