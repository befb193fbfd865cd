"""Every feature's blueprint, in registration order. A feature's routes (its views) and its `flask <feature> …`
commands (its cli) register on its blueprint as their modules are imported: importing them here is what registers
them, so that importing a feature's models never imports its views."""

import network.codev.cli  # noqa: F401
import network.codev.views  # noqa: F401
import network.evaluation.cli  # noqa: F401
import network.evaluation.views  # noqa: F401
import network.home.views  # noqa: F401
import network.identity.cli  # noqa: F401
import network.identity.views  # noqa: F401
import network.members.cli  # noqa: F401
import network.members.email_views  # noqa: F401
import network.members.views  # noqa: F401
import network.privacy.cli  # noqa: F401
import network.privacy.views  # noqa: F401
import network.registration.cli  # noqa: F401
import network.registration.views  # noqa: F401
import network.resources.cli  # noqa: F401
import network.resources.views  # noqa: F401
import network.sessions.cli  # noqa: F401
import network.sessions.views  # noqa: F401
import network.topics.cli  # noqa: F401
import network.topics.views  # noqa: F401
from network.codev.blueprint import bp as codev
from network.evaluation.blueprint import bp as evaluation
from network.home.blueprint import bp as home
from network.identity.blueprint import bp as identity
from network.members.blueprint import bp as members
from network.privacy.blueprint import bp as privacy
from network.registration.blueprint import bp as registration
from network.resources.blueprint import bp as resources
from network.sessions.blueprint import bp as sessions
from network.topics.blueprint import bp as topics

BLUEPRINTS = (home, members, sessions, topics, codev, evaluation, registration, privacy, identity, resources)
