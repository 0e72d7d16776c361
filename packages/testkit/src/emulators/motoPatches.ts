/**
 * Python run inside moto's server before it starts (moto.ts). Each piece defines a function and
 * applies nothing; the server applies them all, tests one at a time.
 */

/**
 * Lookups moto repeats from scratch on every request, each done once or directly. None
 * changes what a request answers (packages/testkit/test/motoServerPatches.test.ts compares
 * each with moto's own answer). Measured with a profile of the whole suite's moto servers:
 *
 * - `patch_module_list`: moto works out which service a request is for by listing its own
 *   package folder, a directory listing and a stat per service (about 50), twice per request.
 *   The folder does not change while the server runs, so it is listed once.
 * - `patch_botocore_files`: moto builds new botocore sessions to list regions and partitions
 *   (per EC2 import, per EKS CreateCluster, per region check), and each one decodes botocore's
 *   endpoint and model files again: JSON decoding was about a quarter of moto's CPU. The files
 *   do not change while the server runs, so each is decoded once and its data shared, as one
 *   botocore loader already shares it between its own callers.
 * - `patch_ec2_tags`: an EC2 resource finds its own tags by matching every tag of the account
 *   against a pattern made of its id, and it does so for every filter on every resource of a
 *   Describe call (hundreds of moto's default snapshots for one DescribeSnapshots). An id with no
 *   pattern characters matches only itself, so its tags are read by id, in the same order and
 *   shape.
 * - `patch_action_lookup`: moto finds a request's handler method by listing every function of
 *   the response class (inspect.getmembers) on every request; a class's functions do not change,
 *   so they are listed once per class.
 * - `patch_service_list`: each botocore loader walks its data folders to list the services it
 *   knows; the folders do not change, so they are walked once.
 * - `patch_jsonpath`: EventBridge's input transformer builds a new JSONPath parser, grammar
 *   tables and all, for every path of every event it delivers; a parsed path is kept by its text.
 * - `patch_state_machine_check`: CreateStateMachine and UpdateStateMachine parse the definition
 *   to validate it (an ANTLR parse of the whole ASL); a definition that parsed once is known
 *   valid, and an invalid one is parsed, and refused, every time.
 */
export const MOTO_SERVER_PATCHES = `
def patch_module_list():
    from moto import backends as _backends
    modules = tuple(_backends.list_of_moto_modules())
    _backends.list_of_moto_modules = lambda: modules
# A function that answers from what it answered before for the same key (key None: not kept).
# What raises is not kept, so a failing call fails again.
def remembered(function, key_of, copy=lambda value: value):
    kept = {}
    def answer(*args, **kwargs):
        key = key_of(*args, **kwargs)
        if key is None:
            return function(*args, **kwargs)
        if key not in kept:
            kept[key] = function(*args, **kwargs)
        return copy(kept[key])
    return answer
def patch_botocore_files():
    from botocore import loaders as _loaders
    _loaders.JSONFileLoader.load_file = remembered(
        _loaders.JSONFileLoader.load_file, lambda self, file_path: file_path)
def patch_ec2_tags():
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix
    _get_tags = TaggedEC2Resource.get_tags
    def get_tags(self):
        resource_id = self.id
        if not isinstance(resource_id, str) or not resource_id or any(c in resource_id for c in "*?[]\\\\"):
            return _get_tags(self)
        tags = self.ec2_backend.tags.get(resource_id)
        if not tags:
            return []
        kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
        return [{"resource_id": resource_id, "key": key, "value": value, "resource_type": kind}
                for key, value in tags.items()]
    TaggedEC2Resource.get_tags = get_tags
def patch_action_lookup():
    from moto.core import responses as _responses
    _names = _responses.method_names_from_class
    _responses.method_names_from_class = remembered(
        lambda clazz: frozenset(_names(clazz)), lambda clazz: clazz)
def patch_service_list():
    from botocore import loaders as _loaders
    _loaders.Loader.list_available_services = remembered(
        _loaders.Loader.list_available_services,
        lambda self, type_name: (tuple(self.search_paths), type_name), copy=list)
def patch_jsonpath():
    import jsonpath_ng.ext as _ext
    _ext.parse = remembered(_ext.parse, lambda path, debug=False: None if debug else path)
def patch_state_machine_check():
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend as _backend
    _backend._validate_definition = staticmethod(
        remembered(_backend._validate_definition, lambda definition: definition))
def patch_server():
    for patch in (patch_module_list, patch_botocore_files, patch_ec2_tags, patch_action_lookup,
                  patch_service_list, patch_jsonpath, patch_state_machine_check):
        try:
            patch()
        except ImportError:
            pass  # a moto without that part
`;

/**
 * moto's DynamoDB with the two changes described on the server (Python that defines
 * `patch_transactions` and `patch_queries`; it applies neither).
 */
export const MOTO_DYNAMODB_PATCHES = `
# A transaction's rollback: moto deep-copies every table a transaction names before applying
# it (CPU and memory growing with the table, for every transaction); DynamoDB changes only the
# items a transaction names, so those are what is kept and put back when it is cancelled.
def patch_transactions():
    import copy as _copy, types as _types
    from moto.dynamodb import models as _dynamodb
    _transact = _dynamodb.DynamoDBBackend.transact_write_items
    from moto.dynamodb.models.table import Table
    _no_table_copies = _types.SimpleNamespace(
        deepcopy=lambda value, memo=None: value if isinstance(value, Table) else _copy.deepcopy(value, memo)
    )
    def transact_write_items(self, transact_items):
        kept = []
        for entry in transact_items:
            for op_type, op in entry.items():
                table = self.tables.get(op.get("TableName"))
                try:
                    if op_type == "Put":
                        key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                        if table.range_key_attr is not None:
                            key[table.range_key_attr] = op["Item"][table.range_key_attr]
                    else:
                        key = op["Key"]
                    before = self.get_item(op["TableName"], key)
                except Exception:
                    continue  # moto's own checks report it
                kept.append((op["TableName"], key, _copy.deepcopy(before)))
        _dynamodb.copy = _no_table_copies
        try:
            return _transact(self, transact_items)
        except Exception:
            for table_name, key, before in reversed(kept):
                if before is None:
                    if self.get_item(table_name, key) is not None:
                        self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before.to_json()["Attributes"])
            raise
        finally:
            _dynamodb.copy = _copy
    _dynamodb.DynamoDBBackend.transact_write_items = transact_write_items
# A Query of a table's own key reads one partition in DynamoDB; moto gathers and sorts every
# item of the table to pick that partition's out (O(table log table) per request: a 10,000-finding
# run slowed down with every item it wrote). While one such query runs, the table shows it only
# the partition asked for: the items it returns, their order and its pages are the same, since
# every item of a partition has its hash key and no item of another partition does. Requests are
# handled one at a time, so no other request sees the narrowed table.
def patch_queries():
    from moto.dynamodb.models.table import Table
    _query = Table.query
    def query(self, hash_key, *args, **kwargs):
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name is not None or hash_key is None or self.range_key_attr is None:
            return _query(self, hash_key, *args, **kwargs)
        items = self.items
        self.items = {hash_key: items[hash_key]} if hash_key in items else {}
        try:
            return _query(self, hash_key, *args, **kwargs)
        finally:
            self.items = items
    Table.query = query
`;
