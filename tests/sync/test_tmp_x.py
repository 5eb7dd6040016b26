from tests.sync.test_randomized import _play
def test_x():
    _play([("wait_s",130),("cycle",),("wait_s",130),("cycle",),("company_opps",0,[1]),("wait_s",130),("cycle",)], trash=False)
