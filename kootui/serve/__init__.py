"""kootui's HTTP face: the API and the public endpoints on the tracking host."""
