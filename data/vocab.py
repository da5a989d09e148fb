"""Words of the demo data: Vietnamese names, places, and survey comments.

Kept apart from the generator so the numbers (probabilities, effects) and the
words can be read and reviewed separately. Every string is NFC-normalised at
import, so Vietnamese diacritics compare and group the same everywhere.
"""

from __future__ import annotations

import unicodedata

# -- people ------------------------------------------------------------------------

# Family names with their approximate share of the population (percent).
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 38.0,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.0,
    "Hoàng": 5.1,
    "Phan": 4.5,
    "Huỳnh": 4.0,
    "Vũ": 3.9,
    "Võ": 3.0,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Trương": 1.0,
    "Đinh": 0.8,
    "Đoàn": 0.6,
    "Lâm": 0.6,
    "Lý": 0.5,
    "Mai": 0.5,
    "Trịnh": 0.5,
    "Lương": 0.4,
    "Cao": 0.4,
    "Hà": 0.4,
    "Tô": 0.3,
}

MIDDLE_NAMES = {
    "Male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Tuấn", "Quốc", "Gia",
             "Trọng", "Xuân", "Hoàng", "Anh"],
    "Female": ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Phương", "Kim", "Bảo", "Hồng",
               "Mỹ", "Thùy", "Khánh", "Diệu", "Hoài"],
}  # fmt: skip

GIVEN_NAMES = {
    "Male": ["An", "Anh", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng",
             "Hùng", "Huy", "Khang", "Khoa", "Khôi", "Long", "Lâm", "Minh", "Nam", "Nghĩa",
             "Phát", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thành", "Thiện", "Thịnh",
             "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ"],
    "Female": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
               "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân",
               "Ngọc", "Nhung", "Như", "Oanh", "Phương", "Quỳnh", "Tâm", "Thảo", "Thủy",
               "Trang", "Trâm", "Uyên", "Vân", "Vy", "Yến"],
}  # fmt: skip

EMAIL_DOMAINS: dict[str, float] = {
    "gmail.com": 0.72,
    "yahoo.com": 0.09,
    "outlook.com": 0.06,
    "icloud.com": 0.06,
    "hotmail.com": 0.04,
    "fpt.vn": 0.03,
}

# Vietnamese mobile prefixes (Viettel, Vinaphone, MobiFone, Vietnamobile).
PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097",
                  "098", "081", "082", "083", "084", "085", "088", "091", "094", "070", "076",
                  "077", "078", "079", "089", "090", "093", "056", "058"]  # fmt: skip

# -- places ------------------------------------------------------------------------

REGIONS: dict[str, float] = {
    "TP.HCM": 0.29,
    "Hà Nội": 0.25,
    "Đà Nẵng": 0.065,
    "Hải Phòng": 0.06,
    "Bình Dương": 0.05,
    "Cần Thơ": 0.05,
    "Biên Hòa": 0.045,
    "Nha Trang": 0.035,
    "Huế": 0.03,
    "Vũng Tàu": 0.03,
    "Vinh": 0.025,
    "Quy Nhơn": 0.02,
    "Đà Lạt": 0.02,
    "Hạ Long": 0.02,
}
BIG_CITIES = ("TP.HCM", "Hà Nội")

# -- funnel ------------------------------------------------------------------------

STAGE_LABELS = {
    "visit": "Truy cập / Visit",
    "signup": "Đăng ký / Sign-up",
    "cart": "Thêm vào giỏ / Add to cart",
    "purchase": "Mua hàng / Purchase",
    "repeat_purchase": "Mua lại / Repeat purchase",
}

JOURNEY_PHASES = {
    "Website": "Discover",
    "Mobile app": "Discover",
    "Store": "Buy",
    "Delivery": "Receive",
    "Billing": "Pay",
    "Call center": "Get help",
    "Support": "Get help",
}

# -- comments ----------------------------------------------------------------------
# Per language, touchpoint and tone (negative: NPS 0-6 / CSAT 1-2; neutral: NPS 7-8 /
# CSAT 3; positive: NPS 9-10 / CSAT 4-5). A comment is one of these, optionally
# followed by a closing of the same tone, or a closing alone.

TONES = ("negative", "neutral", "positive")

COMMENTS: dict[str, dict[str, dict[str, list[str]]]] = {
    "vi": {
        "Website": {
            "negative": [
                "Trang web bị lỗi khi thanh toán, phải đặt lại mấy lần.",
                "Web rất chậm, giỏ hàng tự mất sản phẩm.",
                "Mã giảm giá không áp dụng được trên website.",
                "Không đăng nhập được, trang cứ báo lỗi liên tục.",
                "Thông tin sản phẩm trên web sai so với hàng thực tế.",
            ],
            "neutral": [
                "Website ổn nhưng trang tải hơi chậm vào buổi tối.",
                "Tìm kiếm đôi khi ra kết quả không liên quan.",
                "Giá trên web đôi lúc khác với giá ở cửa hàng.",
                "Nên có thêm bộ lọc theo kích cỡ và màu sắc.",
            ],
            "positive": [
                "Website dễ dùng, tìm sản phẩm rất nhanh.",
                "Đặt hàng trên web nhanh gọn, thanh toán không trục trặc gì.",
                "Thông tin sản phẩm rõ ràng, hình ảnh đẹp.",
                "Giao diện gọn gàng, so sánh sản phẩm rất tiện.",
            ],
        },
        "Mobile app": {
            "negative": [
                "Ứng dụng hay bị văng khi thanh toán.",
                "Cập nhật app xong thì không đăng nhập được.",
                "App chậm, tốn pin, tìm kiếm không ra sản phẩm.",
                "Thông báo khuyến mãi quá nhiều, tắt mãi không được.",
            ],
            "neutral": [
                "App dùng được nhưng thỉnh thoảng bị đơ khi mở danh mục.",
                "Nên cho lưu nhiều địa chỉ giao hàng hơn.",
                "Ứng dụng ổn, nhưng điểm thưởng khó theo dõi.",
                "Giao diện mới hơi khó làm quen.",
            ],
            "positive": [
                "Ứng dụng mượt, đặt hàng chỉ vài chạm là xong.",
                "App hay có ưu đãi riêng, rất thích.",
                "Theo dõi đơn hàng trên app rất tiện.",
                "Thanh toán bằng ví MoMo trên app nhanh chóng.",
            ],
        },
        "Store": {
            "negative": [
                "Nhân viên thiếu nhiệt tình, hỏi mãi không ai trả lời.",
                "Xếp hàng thanh toán gần 30 phút.",
                "Giá niêm yết khác với giá tính tiền ở quầy.",
                "Cửa hàng bừa bộn, không tìm được hàng cần mua.",
            ],
            "neutral": [
                "Cửa hàng đông vào cuối tuần, phải chờ khá lâu.",
                "Một số mẫu hết hàng, phải đặt trước.",
                "Chỗ để xe hơi chật.",
                "Nhân viên tư vấn được nhưng chưa nắm rõ khuyến mãi.",
            ],
            "positive": [
                "Nhân viên cửa hàng nhiệt tình, tư vấn rất kỹ.",
                "Cửa hàng sạch sẽ, hàng hóa bày trí dễ tìm.",
                "Thanh toán tại quầy nhanh, không phải chờ lâu.",
                "Được dùng thử sản phẩm trước khi mua, rất hài lòng.",
            ],
        },
        "Call center": {
            "negative": [
                "Chờ máy hơn 20 phút rồi bị ngắt.",
                "Bị chuyển qua nhiều bộ phận mà vẫn không giải quyết được.",
                "Tổng đài viên trả lời qua loa, thiếu thiện chí.",
                "Gọi tổng đài nhiều lần nhưng không ai bắt máy.",
            ],
            "neutral": [
                "Chờ máy khá lâu nhưng cuối cùng cũng được hỗ trợ.",
                "Phải gọi hai lần mới xong việc.",
                "Tổng đài viên lịch sự nhưng chưa nắm rõ chính sách.",
            ],
            "positive": [
                "Tổng đài viên lịch sự, giải quyết ngay trong cuộc gọi.",
                "Gọi tổng đài được kết nối rất nhanh.",
                "Được hướng dẫn đổi hàng rất chi tiết.",
            ],
        },
        "Delivery": {
            "negative": [
                "Giao hàng trễ cả tuần mà không ai báo.",
                "Hàng bị vỡ khi nhận, shipper không cho kiểm tra.",
                "Đơn báo đã giao nhưng tôi chưa nhận được.",
                "Shipper thái độ không tốt, giao sai địa chỉ.",
            ],
            "neutral": [
                "Giao đúng hẹn nhưng hộp hơi móp.",
                "Giao chậm một ngày so với dự kiến.",
                "Không được chọn khung giờ giao hàng.",
                "Phí giao hàng hơi cao so với đơn nhỏ.",
            ],
            "positive": [
                "Giao hàng nhanh, đóng gói cẩn thận.",
                "Shipper thân thiện, gọi trước khi giao.",
                "Đặt buổi sáng, chiều đã nhận được hàng.",
                "Hàng đến nguyên vẹn, đúng hẹn.",
            ],
        },
        "Billing": {
            "negative": [
                "Bị trừ tiền hai lần cho một đơn hàng.",
                "Hoàn tiền hơn hai tuần vẫn chưa nhận được.",
                "Hóa đơn sai thông tin công ty, phải xuất lại nhiều lần.",
                "Thanh toán thẻ bị lỗi nhưng tiền vẫn bị trừ.",
            ],
            "neutral": [
                "Thanh toán ổn nhưng ít lựa chọn trả góp.",
                "Hóa đơn điện tử gửi hơi chậm.",
                "Phí vận chuyển chưa hiển thị rõ từ đầu.",
            ],
            "positive": [
                "Hóa đơn rõ ràng, thanh toán qua ví điện tử tiện lợi.",
                "Hoàn tiền nhanh, đúng hẹn.",
                "Xuất hóa đơn VAT nhanh chóng.",
            ],
        },
        "Support": {
            "negative": [
                "Gửi yêu cầu ba ngày không ai phản hồi.",
                "Bị từ chối bảo hành mà không rõ lý do.",
                "Chatbot vô dụng, không gặp được nhân viên thật.",
                "Đổi trả quá phức tạp, mất cả tuần.",
            ],
            "neutral": [
                "Được hỗ trợ nhưng phản hồi email hơi chậm.",
                "Thủ tục đổi trả còn rườm rà.",
                "Phải cung cấp thông tin nhiều lần.",
            ],
            "positive": [
                "Đổi trả dễ dàng, nhân viên hỗ trợ qua Zalo rất nhanh.",
                "Vấn đề được giải quyết ngay trong ngày.",
                "Chính sách bảo hành rõ ràng, nhân viên tận tâm.",
            ],
        },
    },
    "en": {
        "Website": {
            "negative": [
                "Checkout kept failing on the website, had to order three times.",
                "The site is very slow and my cart keeps emptying itself.",
                "The discount code does not work on the website.",
                "Cannot log in, the page keeps showing an error.",
            ],
            "neutral": [
                "The website is fine but pages load slowly in the evening.",
                "Search sometimes shows unrelated products.",
                "Prices online sometimes differ from the store.",
                "Please add filters for size and colour.",
            ],
            "positive": [
                "Easy to use website, found what I needed quickly.",
                "Ordering online was quick and payment went smoothly.",
                "Clear product information and good photos.",
            ],
        },
        "Mobile app": {
            "negative": [
                "The app crashes at checkout.",
                "After the update I cannot log in to the app.",
                "App is slow, drains the battery, search finds nothing.",
            ],
            "neutral": [
                "The app works but freezes sometimes when opening categories.",
                "Let me save more than one delivery address.",
                "The new layout takes some getting used to.",
            ],
            "positive": [
                "Smooth app, ordering takes a few taps.",
                "Love the app-only deals.",
                "Tracking my order in the app is really convenient.",
            ],
        },
        "Store": {
            "negative": [
                "Staff were not helpful, nobody answered my questions.",
                "Waited almost 30 minutes at the checkout.",
                "The shelf price was different from what I was charged.",
            ],
            "neutral": [
                "The store is crowded at weekends, long wait.",
                "Some items were out of stock and had to be ordered.",
                "Parking is a bit tight.",
            ],
            "positive": [
                "Friendly staff who gave really good advice.",
                "Clean store, easy to find things.",
                "Quick checkout, no waiting.",
            ],
        },
        "Call center": {
            "negative": [
                "On hold for over 20 minutes, then the call dropped.",
                "Transferred between departments and nothing got solved.",
                "Called several times and nobody picked up.",
            ],
            "neutral": [
                "Long wait, but I got help in the end.",
                "Had to call twice to get it sorted.",
                "Polite agent, but unsure about the promotion rules.",
            ],
            "positive": [
                "Polite agent who solved my issue during the call.",
                "Got through to the hotline quickly.",
                "Very clear instructions for the exchange.",
            ],
        },
        "Delivery": {
            "negative": [
                "Delivery was a week late and nobody told me.",
                "Items arrived broken and the driver would not let me check.",
                "Marked as delivered but I never received it.",
            ],
            "neutral": [
                "On time, but the box was a bit dented.",
                "Arrived one day later than promised.",
                "No way to choose a delivery time slot.",
            ],
            "positive": [
                "Fast delivery, carefully packed.",
                "Friendly driver who called before arriving.",
                "Ordered in the morning, received it the same afternoon.",
            ],
        },
        "Billing": {
            "negative": [
                "I was charged twice for one order.",
                "Still waiting for my refund after two weeks.",
                "The VAT invoice had the wrong company details, twice.",
            ],
            "neutral": [
                "Payment is fine but few instalment options.",
                "The e-invoice arrived late.",
                "Shipping fees were not shown clearly at first.",
            ],
            "positive": [
                "Clear invoice, paying by e-wallet is convenient.",
                "Refund came quickly, as promised.",
                "VAT invoice issued right away.",
            ],
        },
        "Support": {
            "negative": [
                "No reply to my request for three days.",
                "Warranty refused without any explanation.",
                "The chatbot is useless, could not reach a real person.",
            ],
            "neutral": [
                "Got help, but email replies are slow.",
                "The return process is still cumbersome.",
                "Had to give my details several times.",
            ],
            "positive": [
                "Easy return, support on Zalo answered fast.",
                "My problem was solved the same day.",
                "Clear warranty policy and caring staff.",
            ],
        },
    },
}

CLOSINGS: dict[str, dict[str, list[str]]] = {
    "vi": {
        "negative": [
            "Rất thất vọng.",
            "Sẽ không mua lại nữa.",
            "Mong công ty xem lại dịch vụ.",
            "Quá tệ.",
        ],
        "neutral": ["Nhìn chung tạm ổn.", "Mong cải thiện thêm.", "Cũng được.", "Bình thường."],
        "positive": [
            "Sẽ tiếp tục ủng hộ!",
            "Rất hài lòng.",
            "Sẽ giới thiệu cho bạn bè.",
            "Cảm ơn shop!",
            "Tuyệt vời.",
        ],
    },
    "en": {
        "negative": ["Very disappointed.", "Will not buy again.", "Terrible.", "Please fix this."],
        "neutral": ["Overall okay.", "Room for improvement.", "It was fine."],
        "positive": ["Will buy again!", "Very satisfied.", "Will recommend to friends.", "Great."],
    },
}

# Delivery complaints during the delivery-partner failure (see story.INCIDENT_*).
INCIDENT_COMMENTS: dict[str, list[str]] = {
    "vi": [
        "Đơn hàng bị kẹt ở kho của đơn vị vận chuyển hơn 10 ngày.",
        "Đối tác giao hàng liên tục dời lịch, gọi không ai nghe máy.",
        "Phải hủy đơn vì chờ quá lâu, mong đổi đơn vị vận chuyển.",
        "Hàng giao trễ gần hai tuần, tra cứu vận đơn không cập nhật.",
        "Shipper mới không liên lạc trước, hàng bị hoàn về kho.",
    ],
    "en": [
        "My order was stuck at the courier's warehouse for over 10 days.",
        "The delivery partner kept rescheduling and never answered the phone.",
        "Cancelled because it took too long, please change courier.",
        "Almost two weeks late and the tracking never updated.",
    ],
}


def ascii_fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese word, for e-mail addresses ('Đặng' -> 'dang')."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _nfc(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


FAMILY_NAMES = _nfc(FAMILY_NAMES)
MIDDLE_NAMES = _nfc(MIDDLE_NAMES)
GIVEN_NAMES = _nfc(GIVEN_NAMES)
REGIONS = _nfc(REGIONS)
STAGE_LABELS = _nfc(STAGE_LABELS)
COMMENTS = _nfc(COMMENTS)
CLOSINGS = _nfc(CLOSINGS)
INCIDENT_COMMENTS = _nfc(INCIDENT_COMMENTS)
BIG_CITIES = tuple(_nfc(list(BIG_CITIES)))
