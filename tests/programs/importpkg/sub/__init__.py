from ..core import VERSION as PARENT_VERSION
from .leaf import leaf_function
